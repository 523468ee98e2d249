/**
 * The SAM2 service as its image runs it: `node sam2-service/dist/src/index.js` from the repository root
 * (the image's /app), configured only through the environment.
 */
import { spawnSync } from 'node:child_process';
import { imageCommands, repoRoot } from './paths';
import { freePort, type LoggedProcess, spawnLogged, waitFor } from './processes';

export interface ServiceAsImage {
  url: string;
  port: number;
  process: LoggedProcess;
  /** The environment it runs with (SAM2_PORT included), for commands that read it, like the health check. */
  env: Record<string, string>;
  /** Resolves once GET /readyz answers 200. */
  waitReady(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the built service on 127.0.0.1 with the image's command; resolves once it listens. */
export async function startServiceAsImage(env: Record<string, string>): Promise<ServiceAsImage> {
  const port = await freePort();
  const fullEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    SAM2_HOST: '127.0.0.1',
    SAM2_PORT: String(port),
    SAM2_WORKERS: '1',
    SAM2_THREADS: '1',
    ...env,
  };
  const [command, ...args] = imageCommands.service;
  const child = spawnLogged(command === 'node' ? process.execPath : command, args, {
    cwd: repoRoot,
    env: fullEnv,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () => {
      if (child.exited()) throw new Error(`sam2-service exited:\n${child.output()}`);
      return /listening on http/.test(child.output());
    },
    20000,
    () => `sam2-service did not start:\n${child.output()}`,
  );
  return {
    url,
    port,
    process: child,
    env: fullEnv,
    async waitReady(timeoutMs = 30000) {
      await waitFor(
        async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
        timeoutMs,
        () => `sam2-service not ready:\n${child.output()}`,
      );
    },
    stop: () => child.stop('SIGTERM'),
  };
}

/** Writes a FIXTURE model (tests only: real SAM2 weights cannot be downloaded here) with the built CLI. */
export function writeFixtureModel(outDir: string): void {
  const result = spawnSync(
    process.execPath,
    ['sam2-service/dist/scripts/makeFixtureModel.js', '--family', 'samexporter', '--out', outDir],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`makeFixtureModel failed: ${result.stderr}`);
}

/** Runs the health check script as the image does; returns its exit code and line. */
export function runHealthcheck(
  args: string[],
  env: Record<string, string>,
): { code: number; output: string } {
  const [, script] = imageCommands.serviceHealthcheck;
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 15000,
  });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}
