/**
 * `npm start` (tools/start.mjs --no-build, the built service and viewer): the service child runs with the
 * glibc allocator settings the image uses, and SIGTERM stops everything.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allocatorEnv } from '../../sam2-service/src/allocatorEnv';
import { settleWithin } from '../../sam2-service/test/helpers/settleWithin';
import { repoRoot, viewerFixtureModelDir } from './helpers/paths';

const hasProc = existsSync('/proc/self/environ');
if (!hasProc) console.warn('SKIPPED npm start environment check: needs /proc (Linux)');

/** Environment of a running process, from /proc. */
function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

const childrenOf = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

(hasProc ? describe : describe.skip)('npm start', () => {
  it('starts the service with the allocator settings of the image, and SIGTERM stops both', async () => {
    const start = spawn(process.execPath, [path.join(repoRoot, 'tools', 'start.mjs'), '--no-build'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        SAM2_PORT: '0',
        VIEWER_PORT: '0',
        SAM2_MODEL_DIR: viewerFixtureModelDir,
        SAM2_WORKERS: '1',
        SAM2_THREADS: '1',
        ...(process.env.VIEWER_CACHE_DIR ? { VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    start.stdout.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => start.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60000;
      while (!output.includes('OHIF viewer with SAM2:') && start.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(output).toContain('OHIF viewer with SAM2:');

      const service = childrenOf(start.pid!).find((pid) =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sam2-service/dist/src/index.js'),
      );
      expect(service).toBeDefined();
      expect(environOf(service!)).toMatchObject(allocatorEnv);

      start.kill('SIGTERM');
      expect(await settleWithin(exited, 30000)).toBe(0);
      expect(existsSync(`/proc/${service}`)).toBe(false);
    } finally {
      if (start.exitCode === null) start.kill('SIGKILL');
    }
  });
});
