import { writeFixtureModel } from '../sam2-service/scripts/fixture/writeFixtureModel';
import { loadConfig } from '../viewer/src/config';
import { createLogger } from '../viewer/src/logger';
import { ensureOhifApp } from '../viewer/src/ohifApp/fetchOhifApp';
import { e2eFixtureModelDir } from './helpers/paths';
import { missingPrerequisite } from './helpers/prerequisites';
import { runningServers, startE2eServers } from './helpers/servers';

/**
 * Fetches and verifies the pinned OHIF viewer (cached), writes the FIXTURE model, starts the SAM2 service
 * and the viewer server on ephemeral ports and hands their URLs to the tests through the environment.
 */
export default async function globalSetup(): Promise<void> {
  if (missingPrerequisite()) return;
  await ensureOhifApp({
    cacheDir: loadConfig({ VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR }).cacheDir,
    logger: createLogger('warn'),
  });
  await writeFixtureModel({ family: 'samexporter', outDir: e2eFixtureModelDir });
  const servers = await startE2eServers();
  runningServers.__E2E_SERVERS__ = servers;
  process.env.E2E_VIEWER_URL = servers.viewer.url;
  process.env.E2E_SERVICE_URL = servers.service.url;
  process.env.E2E_VIEWER_START_MS = String(servers.viewerStartMs);
}
