import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

const request = { ...discSlice(32).body, prompts: { points: [{ x: 16, y: 16, label: 1 }] } };
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The parsed log lines of one request, once its access line ("request") has arrived. */
async function logsOf(service: ServiceProcess, reqId: string | null): Promise<any[]> {
  const deadline = Date.now() + 10000;
  for (;;) {
    const lines = service.logs.map((l) => JSON.parse(l)).filter((l) => l.reqId === reqId);
    if (lines.some((l) => l.msg === 'request') || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function expectHardened(res: Response, what: string): void {
  expect({ what, nosniff: res.headers.get('x-content-type-options') }).toEqual({ what, nosniff: 'nosniff' });
  expect({ what, cache: res.headers.get('cache-control') }).toEqual({ what, cache: 'no-store' });
}

describe('what the service exposes (FIXTURE model, real HTTP)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_MAX_BODY: '64kb', SAM2_CORS_ORIGINS: 'http://viewer.example' });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('every answer carries X-Content-Type-Options: nosniff and Cache-Control: no-store', async () => {
    const u = service.url;
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${u}/api/segmentation/sam2`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      });
    const answers: [string, Promise<Response>][] = [
      ['healthz', fetch(`${u}/healthz`)],
      ['readyz', fetch(`${u}/readyz`)],
      ['health', fetch(`${u}/api/segmentation/health`)],
      ['info', fetch(`${u}/info`)],
      ['metrics', fetch(`${u}/metrics`)],
      ['openapi', fetch(`${u}/openapi.json`)],
      ['404', fetch(`${u}/nope`)],
      ['405', fetch(`${u}/api/segmentation/sam2`)],
      [
        'preflight',
        fetch(`${u}/api/segmentation/sam2`, {
          method: 'OPTIONS',
          headers: { Origin: 'http://viewer.example', 'Access-Control-Request-Method': 'POST' },
        }),
      ],
      ['200', post(JSON.stringify(request))],
      ['400', post('{')],
      ['413', post(JSON.stringify({ ...request, image_data: 'A'.repeat(100000) }))],
      ['415', post('x', { 'Content-Type': 'text/plain' })],
    ];
    for (const [what, answer] of answers) {
      const res = await answer;
      expectHardened(res, what);
      await res.arrayBuffer();
    }
  });

  it('answers with its own request id and logs only a hash of the client one', async () => {
    const clientId = 'client-Id.from-the-viewer_42';
    const res = await postSegment(service.url, request, { 'X-Request-Id': clientId });
    expect(res.status).toBe(200);
    const ours = res.headers.get('x-request-id')!;
    expect(ours).toMatch(uuid);
    const hash = createHash('sha256').update(clientId).digest('hex').slice(0, 16);
    const line = (await logsOf(service, ours)).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ client_req_sha256: hash, status: 200 });
    expect(service.logs.join('\n')).not.toContain(clientId);
    // Log injection attempts are never echoed either.
    const hostile = await postSegment(service.url, request, {
      'X-Request-Id': 'x","level":60,"msg":"forged',
    });
    expect(hostile.headers.get('x-request-id')).toMatch(uuid);
    await logsOf(service, hostile.headers.get('x-request-id'));
    expect(service.logs.join('\n')).not.toContain('forged');
  });
});

describe('a 503 tells the client no internals (broken model in a temporary folder)', () => {
  let service: ServiceProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sam2-secret-path-'));
    writeFileSync(path.join(dir, 'x_encoder.onnx'), 'not an onnx file');
    writeFileSync(path.join(dir, 'x_decoder.onnx'), 'not an onnx file');
    service = await startService({ SAM2_MODEL_DIR: dir });
    for (let i = 0; i < 200; i++) {
      const health = (await (await fetch(`${service.url}/health`)).json()) as any;
      if (health.state === 'unavailable') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(() => service.stop());

  it('MODEL_UNAVAILABLE with a generic message, the state and a reason code; the log has the real reason', async () => {
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(503);
    expectHardened(res as unknown as Response, '503');
    expect(res.body.error).toEqual({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringMatching(/not available/),
      // The reason is one of /readyz's fixed codes, never the loader's message.
      details: { state: 'unavailable', reason: 'model_load_failed' },
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(dir);
    expect(text).not.toMatch(/onnx|protobuf|\/tmp|sam2-secret-path/i);
    const reqId = res.headers.get('x-request-id');
    const logged = (await logsOf(service, reqId)).find((l) => l.code);
    expect(logged).toMatchObject({
      level: 40,
      code: 'MODEL_UNAVAILABLE',
      reason: expect.stringMatching(/model_load_failed/),
    });
    // The loader's own words (which name the file) are in the log, written when the load failed.
    expect(service.logs.join('\n')).toMatch(/x_encoder\.onnx|x_decoder\.onnx/);
  });
});
