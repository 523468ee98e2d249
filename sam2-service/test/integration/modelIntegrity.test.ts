import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crashWorkerThread } from '../helpers/crashWorker';
import { fixtureModelDir } from '../helpers/fixtureModels';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

/**
 * "The model that runs is the model reported", against the real built service process on real FIXTURE
 * models: external-data layout loaded from another working directory, files missing or changed on disk,
 * worker crashes (caused from outside through the Node inspector), and what /readyz, /healthz, /health and
 * the segmentation endpoint say about each. Public bodies must carry generic reasons only.
 */
// Real processes on a shared machine: each step is bounded, the whole test generously.
jest.setTimeout(180_000);

const disc = discSlice();
const request = { ...disc.body, prompts: { points: [{ x: disc.size / 2, y: disc.size / 2, label: 1 }] } };
const tmpRoots: string[] = [];

/** A private copy of a FIXTURE model (tests change files in it). */
function copyFixture(name: 'samexporter' | 'onnx-community'): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sam2-integrity-'));
  tmpRoots.push(root);
  const dir = path.join(root, 'model');
  cpSync(fixtureModelDir(name), dir, { recursive: true });
  return dir;
}

/** A working directory unrelated to the model and the repository. */
function otherCwd(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sam2-cwd-'));
  tmpRoots.push(dir);
  return dir;
}

async function getJson(url: string): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
}

/** Public bodies never carry filesystem paths or ONNX Runtime's own messages. */
function expectGeneric(text: string, modelDir: string): void {
  expect(text).not.toContain(modelDir);
  expect(text).not.toContain(os.tmpdir());
  expect(text).not.toMatch(/\.onnx|onnx_data|tensorprotoutils|external data|onnxruntime|\/tmp\/|sha256/i);
  expect(text).not.toMatch(/\bORT\b|ONNX Runtime/);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const logText = (service: ServiceProcess) => service.logs.join('\n');

let service: ServiceProcess | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});
afterAll(() => {
  for (const dir of tmpRoots) rmSync(dir, { recursive: true, force: true });
});

describe('onnx-community FIXTURE with external data (onnx/*.onnx + *.onnx_data)', () => {
  it('loads through the service from another working directory and segments', async () => {
    const dir = copyFixture('onnx-community');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(manifest.encoder).toBe('onnx/vision_encoder.onnx');
    expect(Object.keys(manifest.sha256)).toContain('onnx/vision_encoder.onnx_data');
    service = await startService({ SAM2_MODEL_DIR: dir }, { cwd: otherCwd() });
    await service.waitReady(60_000);
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(200);
    expect(res.body.model).toMatchObject({ name: 'sam2-FIXTURE-onnx-community', family: 'onnx-community' });
    expect(res.body.masks[0].area).toBeGreaterThan(0);
  });

  it('a missing data file listed in model.json: unavailable, the file named in the log only', async () => {
    const dir = copyFixture('onnx-community');
    rmSync(path.join(dir, 'onnx', 'vision_encoder.onnx_data'));
    service = await startService({ SAM2_MODEL_DIR: dir }, { cwd: otherCwd() });

    const ready = await getJson(`${service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ ready: false, state: 'unavailable', reason: 'model_files_missing' });
    const health = await getJson(`${service.url}/health`);
    expect(health.body).toMatchObject({ status: 'degraded', reason: 'model_files_missing', model: null });
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200); // degraded, not dead
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    for (const text of [ready.text, health.text, JSON.stringify(res.body)]) expectGeneric(text, dir);
    expect(logText(service)).toMatch(
      /"reason":"model_files_missing".*onnx\/vision_encoder\.onnx_data is missing/,
    );
  });

  it('a data file model.json does not list: ONNX Runtime refuses, reason model_load_failed', async () => {
    const dir = copyFixture('onnx-community');
    const manifestPath = path.join(dir, 'model.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    delete manifest.sha256['onnx/prompt_encoder_mask_decoder.onnx_data'];
    writeFileSync(manifestPath, JSON.stringify(manifest));
    rmSync(path.join(dir, 'onnx', 'prompt_encoder_mask_decoder.onnx_data'));
    service = await startService({ SAM2_MODEL_DIR: dir }, { cwd: otherCwd() });

    const ready = await waitFor('the load failure', async () => {
      const r = await getJson(`${service!.url}/readyz`);
      return r.body.state === 'unavailable' ? r : undefined;
    });
    expect(ready.body).toEqual({ ready: false, state: 'unavailable', reason: 'model_load_failed' });
    const health = await getJson(`${service.url}/health`);
    for (const text of [ready.text, health.text]) expectGeneric(text, dir);
    expect(logText(service)).toMatch(/prompt_encoder_mask_decoder\.onnx_data/);
  });
});

describe('a model file changed on disk while the service runs', () => {
  it('a replacement worker refuses the changed file; the service never runs it under the old identity', async () => {
    const dir = copyFixture('samexporter');
    service = await startService(
      {
        SAM2_MODEL_DIR: dir,
        SAM2_WORKERS: '2',
        SAM2_REQUEST_TIMEOUT_MS: '120000',
        // No caches: the request after the crash must really run on the surviving worker.
        SAM2_EMBEDDING_CACHE_MB: '0',
        SAM2_RESULT_CACHE_MB: '0',
        NODE_OPTIONS: '--inspect=127.0.0.1:0',
      },
      { cwd: otherCwd() },
    );
    await service.waitReady(60_000);
    await waitFor('two ready workers', async () => {
      const h = await getJson(`${service!.url}/health`);
      return h.body.workers.ready === 2 ? true : undefined;
    });
    const before = await postSegment(service.url, { ...request, multimask: true });
    expect(before.status).toBe(200);

    // Same size, other bytes: another model under the same name.
    const decoderPath = path.join(dir, 'decoder.onnx');
    const changed = readFileSync(decoderPath);
    changed[changed.length - 8] ^= 0xff;
    writeFileSync(decoderPath, changed);

    // One worker crashes; its replacement verifies the files and refuses; the other keeps serving.
    await crashWorkerThread(service.logs, 0);
    await waitFor('the refused replacement', async () =>
      /"reason":"model_files_changed"/.test(logText(service!)) ? true : undefined,
    );
    const health = await getJson(`${service.url}/health`);
    expect(health.body.workers.ready).toBe(1);
    expect((await getJson(`${service.url}/readyz`)).status).toBe(200);
    const after = await postSegment(service.url, { ...request, multimask: true });
    expect(after.status).toBe(200);
    expect(after.body.model).toEqual(before.body.model);
    expect(after.body.masks.map((m: { rle: unknown }) => m.rle)).toEqual(
      before.body.masks.map((m: { rle: unknown }) => m.rle),
    );
    expect(logText(service)).toMatch(/decoder\.onnx changed on disk/);

    // The last worker crashes: no worker can run the verified model any more.
    await crashWorkerThread(service.logs, 'all');
    await waitFor('no ready worker', async () => {
      const h = await getJson(`${service!.url}/health`);
      return h.body.workers.ready === 0 ? true : undefined;
    });
    const started = Date.now();
    const refused = await postSegment(service.url, request);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      details: { reason: 'model_files_changed' },
    });
    expect(Date.now() - started).toBeLessThan(20_000); // at once, not a 504 at the 120 s limit
    const ready = await waitFor('readiness to fail', async () => {
      const r = await getJson(`${service!.url}/readyz`);
      return r.body.state === 'unavailable' ? r : undefined;
    });
    expect(ready.body).toEqual({ ready: false, state: 'unavailable', reason: 'model_files_changed' });
    const live = await getJson(`${service.url}/healthz`);
    expect(live.status).toBe(503);
    expect(live.body).toEqual({ status: 'failed', reason: 'model_files_changed' });
    const finalHealth = await getJson(`${service.url}/health`);
    expect(finalHealth.body).toMatchObject({
      status: 'degraded',
      state: 'unavailable',
      workers: { ready: 0 },
    });
    for (const text of [ready.text, live.text, finalHealth.text, JSON.stringify(refused.body)]) {
      expectGeneric(text, dir);
    }
  });
});
