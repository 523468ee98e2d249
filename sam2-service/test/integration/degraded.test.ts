import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

const request = { ...discSlice().body, prompts: { points: [{ x: 64, y: 64, label: 1 }] } };

describe('without a model the service starts degraded', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_MODEL_DIR: mkdtempSync(path.join(os.tmpdir(), 'sam2-empty-')) });
  });
  afterAll(() => service.stop());

  it('logs a clear warning, reports degraded, is alive but not ready, and answers segment with 503', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, state: 'unavailable', reason: 'model_files_missing' });
    const health = (await (await fetch(`${service.url}/health`)).json()) as any;
    expect(health).toMatchObject({ status: 'degraded', state: 'unavailable', model: null });
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('MODEL_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('10');
    expect(service.logs.join('\n')).toMatch(/"level":40.*no SAM2 encoder\/decoder \.onnx pair.*model:fetch/);
  });
});

describe('SAM2_ENABLED=false', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_ENABLED: 'false' });
  });
  afterAll(() => service.stop());

  it('reports itself disabled and refuses segmentation', async () => {
    const health = (await (await fetch(`${service.url}/health`)).json()) as any;
    expect(health).toMatchObject({ status: 'degraded', enabled: false, state: 'disabled' });
    expect((await fetch(`${service.url}/readyz`)).status).toBe(503);
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/disabled/);
  });
});

describe('SAM2_DEVICE=cuda on a machine without CUDA', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_DEVICE: 'cuda' });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('falls back to the CPU, logs a warning and reports device cpu', async () => {
    const health = (await (await fetch(`${service.url}/health`)).json()) as any;
    expect(health.device).toBe('cpu');
    expect(health.device_warning).toBe('CUDA execution provider unavailable, using CPU');
    expect(service.logs.join('\n')).toMatch(/"level":40.*CUDA execution provider unavailable/);
    expect((await postSegment(service.url, request)).status).toBe(200);
  });
});

describe('a broken model file', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sam2-broken-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'x_encoder.onnx'), 'not an onnx file');
    writeFileSync(path.join(dir, 'x_decoder.onnx'), 'not an onnx file');
    service = await startService({ SAM2_MODEL_DIR: dir });
  });
  afterAll(() => service.stop());

  it('keeps the service up, degraded, with the load error in health', async () => {
    let health: any;
    for (let i = 0; i < 100; i++) {
      health = (await (await fetch(`${service.url}/health`)).json()) as any;
      if (health.state === 'unavailable') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(health).toMatchObject({ status: 'degraded', state: 'unavailable' });
    expect(health.reason).toBe('model_load_failed');
    expect(JSON.stringify(health)).not.toMatch(/x_encoder|protobuf|\/tmp\//i);
    expect(service.logs.join('\n')).toMatch(/"reason":"model_load_failed".*"detail":/);
    expect((await postSegment(service.url, request)).status).toBe(503);
    // Never loaded: a restart would not help, so liveness stays up and /health says why.
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });
});
