import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeFixtureModel } from '../../sam2-service/scripts/fixture/writeFixtureModel';
import type { FakeModelHub } from '../../sam2-service/test/helpers/fakeModelHub';
import { startFixtureHub } from '../../sam2-service/test/helpers/fixtureHub';
import { discSliceBody } from './helpers/sam2Service';
import { repoRoot } from './helpers/paths';

/**
 * `npm start` on a fresh machine (tools/start.mjs, the built service and viewer as real processes): no
 * model anywhere, the hub is the project's local imitation serving the FIXTURE model in the real
 * onnx-community layout. No manual step between start and a segmentation through the viewer.
 */
jest.setTimeout(300_000);

const roots: string[] = [];
let hub: FakeModelHub;
let totalBytes: number;
let fixtureDir: string;

beforeAll(async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'npm-start-fixture-'));
  roots.push(root);
  fixtureDir = path.join(root, 'onnx-community');
  await writeFixtureModel({ family: 'onnx-community', outDir: fixtureDir });
});
beforeEach(async () => {
  ({ hub, totalBytes } = await startFixtureHub(fixtureDir));
});
afterEach(() => hub.close());
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  lines: string[];
  viewerUrl: string;
  stop(): Promise<void>;
}

/** `node tools/start.mjs --no-build` as a user would run it, stdout not a terminal. */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const modelRoot = mkdtempSync(path.join(os.tmpdir(), 'npm-start-models-'));
  roots.push(modelRoot);
  const child = spawn(process.execPath, [path.join(repoRoot, 'tools', 'start.mjs'), '--no-build'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.VIEWER_CACHE_DIR ? { VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR } : {}),
      SAM2_PORT: '0',
      VIEWER_PORT: '0',
      SAM2_WORKERS: '1',
      SAM2_THREADS: '1',
      // The only difference from a fresh clone: models go to a temp dir, not into the checkout.
      SAM2_MODEL_DIR: path.join(modelRoot, 'sam2.1-hiera-tiny'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let rest = '';
  const onData = (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const viewerUrl = await waitFor('the banner', async () => {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${lines.join('\n')}`);
    const m = lines
      .map((l) => /^OHIF viewer with SAM2: (http:\/\/127\.0\.0\.1:\d+)\/local/.exec(l))
      .find(Boolean);
    return m?.[1];
  });
  return {
    child,
    lines,
    viewerUrl,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 180_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function readiness(viewerUrl: string): Promise<any> {
  return (await fetch(`${viewerUrl}/api/segmentation/readyz`)).json();
}

async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm start on a fresh machine', () => {
  it('prints what runs where first, downloads the model by itself, and segments through the viewer', async () => {
    hub.throttleBytesPerSecond = Math.ceil(totalBytes / 8); // ~8 s: the download is observable
    const started = await npmStart({ SAM2_HUB_URL: hub.url });
    try {
      await waitFor('the model line', async () => started.lines.find((l) => l.includes('SAM2 model:')));
      const text = started.lines.filter((l) => l.trim() !== '');
      expect(text[0]).toMatch(/^OHIF viewer with SAM2: http:\/\/127\.0\.0\.1:\d+\/local/);
      expect(text[1]).toMatch(/^ {2}SAM2 service: http:\/\/127\.0\.0\.1:\d+ {3}viewer server: http:/);
      expect(text[2]).toMatch(/^ {2}SAM2 model: (downloading sam2\.1-hiera-tiny|ready)/);

      const ready = await waitFor('ready through the viewer', async () => {
        const r = await readiness(started.viewerUrl);
        return r.ready ? r : undefined;
      });
      expect(ready).toEqual({ ready: true, state: 'ready' });
      // Not a terminal: plain JSON progress lines from the service, then the end of the download.
      const logged = started.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(
        logged.some((l) => /^model download \d/.test(l.msg) && l.download.total_bytes === totalBytes),
      ).toBe(true);
      expect(logged.some((l) => /^model sam2\.1-hiera-tiny downloaded and verified/.test(l.msg))).toBe(true);
      // npm start follows the model with its own polling, so its closing sentence may come a moment later.
      const closing = 'SAM2 model downloaded, verified and loaded: the SAM2 button is enabled.';
      await waitFor('the closing sentence', async () => started.lines.find((l) => l === closing));

      const res = await fetch(`${started.viewerUrl}/api/segmentation/sam2`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(discSliceBody()),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).model).toMatchObject({ name: 'sam2.1-hiera-tiny' });
    } finally {
      await started.stop();
    }
  });

  it('offline: the viewer starts and stays usable, and the console says in one sentence what to do', async () => {
    const started = await npmStart({ SAM2_HUB_URL: `http://127.0.0.1:${await closedPort()}` });
    try {
      const sentence = await waitFor('the offline sentence', async () =>
        started.lines.find((l) => l.startsWith('SAM2 segmentation is off:')),
      );
      expect(sentence).toMatch(
        /could not be downloaded .*run npm start again to resume, or .*npm run model:fetch -- --dir <dir>.*SAM2_MODEL_DIR=<dir>.*docs\/models\.md/,
      );
      expect(await readiness(started.viewerUrl)).toEqual({
        ready: false,
        state: 'unavailable',
        reason: 'model_download_failed',
      });
      expect((await fetch(`${started.viewerUrl}/local`)).status).toBe(200);
      expect(started.child.exitCode).toBeNull();
    } finally {
      await started.stop();
    }
  });
});
