import { runningServers } from './helpers/servers';

/** Stops the servers globalSetup started. */
export default async function globalTeardown(): Promise<void> {
  const servers = runningServers.__E2E_SERVERS__;
  if (!servers) return;
  runningServers.__E2E_SERVERS__ = undefined;
  await Promise.all([servers.viewer.stop(), servers.service.stop()]);
}
