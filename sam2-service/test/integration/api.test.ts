import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

describe('service API (FIXTURE model, real HTTP)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_MAX_BODY: '1mb', SAM2_CORS_ORIGINS: 'http://viewer.example' });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('reports liveness, readiness, health and info', async () => {
    expect(await (await fetch(`${service.url}/healthz`)).json()).toEqual({ status: 'alive' });
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    const health = (await (await fetch(`${service.url}/health`)).json()) as any;
    expect(health).toMatchObject({
      status: 'ok',
      enabled: true,
      device: 'cpu',
      model: { family: 'samexporter', fixture: true },
      workers: { size: 1, ready: 1 },
      queue: { depth: 0 },
      cache: { embeddings: { entries: expect.any(Number) }, results: { ttl_s: 86400 } },
    });
    expect(health.uptime_s).toEqual(expect.any(Number));
    const info = (await (await fetch(`${service.url}/info`)).json()) as any;
    expect(info).toMatchObject({
      api_version: '1.0',
      model: { family: 'samexporter', variant: 'fixture', licence: expect.stringContaining('Apache-2.0') },
      capabilities: {
        prompts: { box: true, negative_points: true },
        automatic: expect.any(Object),
        multimask: true,
      },
    });
  });

  it('answers readiness, health and info under /api/segmentation/ too (for reverse proxies)', async () => {
    expect((await fetch(`${service.url}/api/segmentation/readyz`)).status).toBe(200);
    expect(((await (await fetch(`${service.url}/api/segmentation/health`)).json()) as any).status).toBe('ok');
    expect(((await (await fetch(`${service.url}/api/segmentation/info`)).json()) as any).api_version).toBe(
      '1.0',
    );
  });

  it('serves Prometheus metrics with request counts, latency histograms, queue and cache figures', async () => {
    await postSegment(service.url, {
      ...discSlice().body,
      prompts: { points: [{ x: 64, y: 64, label: 1 }] },
    });
    const res = await fetch(`${service.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    for (const name of [
      'sam2_http_requests_total{route="/api/segmentation/sam2",method="POST",status="200"}',
      'sam2_request_duration_seconds_bucket',
      'sam2_encode_duration_seconds_bucket',
      'sam2_decode_duration_seconds_bucket',
      'sam2_queue_depth',
      'sam2_cache_hits_total',
      'sam2_cache_misses_total{cache="embedding"}',
      'sam2_cache_bytes{cache="embedding"}',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('serves its OpenAPI spec, which documents every route', async () => {
    const spec = (await (await fetch(`${service.url}/openapi.json`)).json()) as any;
    expect(spec.openapi).toMatch(/^3\./);
    for (const route of [
      '/api/segmentation/sam2',
      '/healthz',
      '/readyz',
      '/health',
      '/info',
      '/metrics',
      '/openapi.json',
    ]) {
      expect(spec.paths).toHaveProperty([route]);
    }
    const onDisk = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'openapi.json'), 'utf8'));
    expect(spec).toEqual(onDisk);
  });

  it('segments a synthetic slice: a box around the disc gives the disc', async () => {
    const { body, size } = discSlice();
    const res = await postSegment(service.url, { ...body, prompts: { box: [20, 20, 108, 108] } });
    expect(res.status).toBe(200);
    const disc = Math.PI * (size / 4) ** 2;
    expect(res.body.masks[0].area).toBeGreaterThan(disc * 0.8);
    expect(res.body.masks[0].area).toBeLessThan(disc * 1.2);
    expect(res.body.masks[0].bbox).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
    ]);
  });

  describe('bad input gets a 4xx naming the field, never a 500', () => {
    const { body } = discSlice();
    const expectError = async (request: unknown, status: number, code: string, field?: string) => {
      const res = await postSegment(service.url, request);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatchObject({
        code,
        message: expect.any(String),
        details: expect.any(Object),
      });
      if (field) expect(res.body.error.details.field).toBe(field);
      return res;
    };

    it('wrong buffer length for width × height × dtype', async () => {
      const res = await expectError({ ...body, width: 100 }, 400, 'INVALID_REQUEST', 'image_data');
      expect(res.body.error.message).toMatch(/expected 25600 bytes for 100×128 int16 pixels, got 32768/);
    });
    it('NaN in float32 pixels', async () => {
      const pixels = new Float32Array(16).fill(1);
      pixels[5] = NaN;
      const request = {
        image_data: Buffer.from(pixels.buffer).toString('base64'),
        image_type: 'float32',
        width: 4,
        height: 4,
      };
      await expectError(request, 400, 'INVALID_REQUEST', 'image_data');
    });
    it('unknown dtype', () =>
      expectError({ ...body, image_type: 'int32' }, 400, 'INVALID_REQUEST', 'image_type'));
    it('missing size', () => expectError({ ...body, height: undefined }, 400, 'INVALID_REQUEST', 'height'));
    it('not base64', () => expectError({ ...body, image_data: '***' }, 400, 'INVALID_REQUEST', 'image_data'));
    it('point outside the image', () =>
      expectError(
        { ...body, prompts: { points: [{ x: 500, y: 3, label: 1 }] } },
        400,
        'INVALID_REQUEST',
        'prompts.points[0]',
      ));
    it('box outside the image', () =>
      expectError({ ...body, prompts: { box: [0, 0, 129, 50] } }, 400, 'INVALID_REQUEST', 'prompts.box'));
    it('non-finite coordinates', async () => {
      await expectError(
        `{"image_data":"AAAA","image_type":"int16","width":2,"height":1,"prompts":{"points":[{"x":1e999,"y":0,"label":1}]}}`,
        400,
        'INVALID_REQUEST',
        'prompts.points[0].x',
      );
    });
    it.each([
      [{ boxes: [20, 20, 108, 108] }, 'prompts.boxes'],
      [{ point: [{ x: 64, y: 64, label: 1 }] }, 'prompts.point'],
      [{ points: [{ x: 64, y: 64, lable: 1 }] }, 'prompts.points[0].lable'],
    ])('a misspelt prompt key is refused, not run as automatic mode (%#)', (prompts, field) =>
      expectError({ ...body, prompts }, 400, 'INVALID_REQUEST', field),
    );
    it('a misspelt rescale or window key is refused', async () => {
      await expectError(
        { ...body, rescale: { slope: 1, intercep: 0 } },
        400,
        'INVALID_REQUEST',
        'rescale.intercep',
      );
      await expectError(
        { ...body, window: { center: 40, widht: 400 } },
        400,
        'INVALID_REQUEST',
        'window.widht',
      );
    });
    it('invalid JSON', () => expectError('{"width": ', 400, 'INVALID_REQUEST', 'body'));
    it('a body that is not JSON', async () => {
      const res = await fetch(`${service.url}/api/segmentation/sam2`, { method: 'POST', body: 'x=1' });
      expect(res.status).toBe(415);
      expect(((await res.json()) as any).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
    it('unknown image_id → 404', () =>
      expectError(
        { image_id: 'a'.repeat(64), prompts: { points: [{ x: 1, y: 1, label: 1 }] } },
        404,
        'IMAGE_NOT_FOUND',
        'image_id',
      ));
    it('body over SAM2_MAX_BODY → 413', async () => {
      const res = await expectError(
        { ...body, image_data: 'A'.repeat(1.5 * 1024 * 1024) },
        413,
        'PAYLOAD_TOO_LARGE',
        'body',
      );
      expect(res.body.error.details.limit_bytes).toBe(1024 * 1024);
    });
    it('image_data and image_id together', () =>
      expectError({ ...body, image_id: 'a'.repeat(64) }, 400, 'INVALID_REQUEST', 'image_id'));
    it('wrong method → 405 JSON', async () => {
      const res = await fetch(`${service.url}/api/segmentation/sam2`);
      expect(res.status).toBe(405);
      expect(((await res.json()) as any).error.code).toBe('METHOD_NOT_ALLOWED');
      const unknown = await fetch(`${service.url}/api/segmentation/sam2`, { method: 'PROPFIND' });
      expect(unknown.status).toBe(405);
    });
    it('unknown route → 404 JSON', async () => {
      const res = await fetch(`${service.url}/nope`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    });
    it('the service is unharmed afterwards', async () => {
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      expect(service.logs.join('\n')).not.toMatch(/"status":500/);
    });
  });

  it('sends CORS headers only to allowed origins', async () => {
    const allowed = await fetch(`${service.url}/info`, { headers: { Origin: 'http://viewer.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://viewer.example');
    const other = await fetch(`${service.url}/info`, { headers: { Origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${service.url}/api/segmentation/sam2`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://viewer.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });
});

describe('bearer token (SAM2_API_TOKEN)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_API_TOKEN: 's3cret-token' });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  const request = { ...discSlice().body, prompts: { points: [{ x: 64, y: 64, label: 1 }] } };

  it('refuses a missing token with 401', async () => {
    const res = await postSegment(service.url, request);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', details: { field: 'Authorization' } });
  });
  it('refuses a wrong token with 401', async () => {
    const res = await postSegment(service.url, request, { Authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/wrong/);
  });
  it('accepts the right token', async () => {
    const res = await postSegment(service.url, request, { Authorization: 'Bearer s3cret-token' });
    expect(res.status).toBe(200);
  });
  it('keeps health endpoints open for orchestrators', async () => {
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});
