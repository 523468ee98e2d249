/**
 * The API client against a real HTTP server on 127.0.0.1 (node:http): status codes, delays,
 * dropped connections, cancellation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sam2Segment } from '../src/api/client';
import { Sam2Error } from '../src/api/errors';
import { checkReadiness } from '../src/api/readiness';
import { checkBodySize, fetchServiceLimits, requestBodyBytes, ServiceLimitsCache } from '../src/api/limits';
import { buildSegmentRequest, ImageIdCache } from '../src/api/request';
import { segmentSlice } from '../src/api/segmentSlice';

type Step = {
  status?: number;
  delayMs?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket without answering (a network error for the client). */
  drop?: boolean;
};

const OK = {
  masks: [{ rle: { size: [2, 2], counts: [0, 4] }, score: 0.9, area: 4, bbox: [0, 0, 1, 1] }],
  mode: 'prompt',
  image_id: 'f'.repeat(64),
  processing_time_ms: 12.5,
  cached: false,
  embedding_cached: false,
  model: { name: 'm', family: 'samexporter', version: '0123456789abcdef' },
};

const err = (code: string, message = code) => ({ error: { code, message, details: {} } });

let server: http.Server;
let base: string;
let script: Step[] = [];
const timers = new Set<NodeJS.Timeout>();
let received: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const step = script.shift() ?? { status: 200, body: OK };
      const answer = () => {
        if (step.drop) return req.socket.destroy();
        res.writeHead(step.status ?? 200, { 'content-type': 'application/json', ...step.headers });
        res.end(JSON.stringify(step.body ?? OK));
      };
      if (!step.delayMs) return answer();
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, step.delayMs);
      timers.add(t);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  timers.forEach(clearTimeout);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  script = [];
  received = [];
});

const call = (opts: Partial<Parameters<typeof sam2Segment>[1]> = {}) =>
  sam2Segment(
    { image_id: 'a'.repeat(64), prompts: { points: [{ x: 1, y: 1, label: 1 }] } },
    {
      url: `${base}/api/segmentation/sam2`,
      timeoutMs: 3000,
      retryDelayMs: 20,
      ...opts,
    },
  );

async function failure(p: Promise<unknown>): Promise<Sam2Error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(Sam2Error);
    return e as Sam2Error;
  }
  throw new Error('expected a failure');
}

describe('sam2Segment', () => {
  it('POSTs JSON with the token and request id and returns the answer', async () => {
    const res = await call({ token: 's3cret', requestId: 'req-1' });
    expect(res.image_id).toBe(OK.image_id);
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].url).toBe('/api/segmentation/sam2');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers.authorization).toBe('Bearer s3cret');
    expect(received[0].headers['x-request-id']).toBe('req-1');
    expect(JSON.parse(received[0].body).prompts.points[0]).toEqual({ x: 1, y: 1, label: 1 });
  });

  it.each([502, 504])('retries once after %i and succeeds', async (status) => {
    script = [{ status, body: err('X') }, { status: 200 }];
    await expect(call()).resolves.toMatchObject({ image_id: OK.image_id });
    expect(received).toHaveLength(2);
  });

  it('retries once after 503 WORKER_CRASHED, honouring Retry-After (capped)', async () => {
    script = [
      { status: 503, body: err('WORKER_CRASHED'), headers: { 'retry-after': '0.2' } },
      { status: 200 },
    ];
    const t = Date.now();
    await expect(call()).resolves.toMatchObject({ mode: 'prompt' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(180);
    expect(received).toHaveLength(2);
  });

  it('retries a network error (dropped connection) once', async () => {
    script = [{ drop: true }, { status: 200 }];
    await expect(call()).resolves.toMatchObject({ mode: 'prompt' });
    expect(received).toHaveLength(2);
  });

  it('gives up after the single retry', async () => {
    script = [{ status: 504, body: err('TIMEOUT') }, { status: 504, body: err('TIMEOUT') }, { status: 200 }];
    const e = await failure(call());
    expect(e.kind).toBe('timeout');
    expect(e.status).toBe(504);
    expect(received).toHaveLength(2);
  });

  it('a retry refused as busy (429) after a 504 reports the timeout, not the refusal', async () => {
    script = [
      { status: 504, body: err('TIMEOUT') },
      {
        status: 429,
        body: err('QUEUE_FULL', 'the service is busy; retry later'),
        headers: { 'retry-after': '1' },
      },
    ];
    const e = await failure(call());
    expect(e.kind).toBe('timeout');
    expect(e.status).toBe(504);
    expect(received).toHaveLength(2);
  });

  it('does not retry 503 MODEL_UNAVAILABLE (the readiness poll takes over)', async () => {
    script = [{ status: 503, body: err('MODEL_UNAVAILABLE', 'no model'), headers: { 'retry-after': '10' } }];
    const e = await failure(call());
    expect(e.kind).toBe('unavailable');
    expect(e.code).toBe('MODEL_UNAVAILABLE');
    expect(e.retryAfterS).toBe(10);
    expect(received).toHaveLength(1);
  });

  it.each([
    [400, 'INVALID_REQUEST', 'invalid'],
    [401, 'UNAUTHORIZED', 'unauthorized'],
    [404, 'IMAGE_NOT_FOUND', 'image-not-found'],
    [413, 'PAYLOAD_TOO_LARGE', 'too-large'],
    [415, 'UNSUPPORTED_MEDIA_TYPE', 'invalid'],
    [429, 'QUEUE_FULL', 'busy'],
    [500, 'INTERNAL', 'server'],
  ])('does not retry %i %s (kind %s)', async (status, code, kind) => {
    script = [
      { status, body: err(code, `msg ${code}`), headers: { 'retry-after': '3', 'x-request-id': 'svc-9' } },
      { status: 200 },
    ];
    const e = await failure(call());
    expect(e.kind).toBe(kind);
    expect(e.code).toBe(code);
    expect(e.message).toBe(`msg ${code}`);
    expect(e.requestId).toBe('svc-9');
    expect(received).toHaveLength(1);
  });

  it('maps the viewer proxy’s errors: SERVICE_UNAVAILABLE/BAD_GATEWAY → network (retried), GATEWAY_TIMEOUT → timeout', async () => {
    script = [
      { status: 503, body: err('SERVICE_UNAVAILABLE'), headers: { 'retry-after': '0' } },
      { status: 502, body: err('BAD_GATEWAY') },
    ];
    expect((await failure(call())).kind).toBe('network');
    expect(received).toHaveLength(2);
    script = [
      { status: 504, body: err('GATEWAY_TIMEOUT') },
      { status: 504, body: err('GATEWAY_TIMEOUT') },
    ];
    expect((await failure(call())).kind).toBe('timeout');
  });

  it('reports 429 Retry-After in seconds', async () => {
    script = [{ status: 429, body: err('QUEUE_FULL'), headers: { 'retry-after': '7' } }];
    expect((await failure(call())).retryAfterS).toBe(7);
  });

  it('keeps a generic message when the error body is not JSON', async () => {
    script = [{ status: 500, body: '<html>' }];
    const e = await failure(call());
    expect(e.kind).toBe('server');
  });

  it('times out when the service is slower than the budget', async () => {
    script = [{ delayMs: 2000 }];
    const t = Date.now();
    const e = await failure(call({ timeoutMs: 300 }));
    expect(e.kind).toBe('timeout');
    expect(Date.now() - t).toBeLessThan(1500);
  });

  it('does not start a retry the budget cannot fit', async () => {
    script = [{ status: 502, body: err('BAD_GATEWAY'), delayMs: 250 }, { status: 200 }];
    const e = await failure(call({ timeoutMs: 400, retryDelayMs: 300 }));
    expect(e.kind).toBe('network');
    expect(received).toHaveLength(1);
  });

  it('aborts on the caller signal, during the request and before it', async () => {
    script = [{ delayMs: 2000 }];
    const controller = new AbortController();
    const t = Date.now();
    setTimeout(() => controller.abort(), 100);
    const e = await failure(call({ signal: controller.signal }));
    expect(e.kind).toBe('aborted');
    expect(Date.now() - t).toBeLessThan(1000);

    const already = new AbortController();
    already.abort();
    expect((await failure(call({ signal: already.signal }))).kind).toBe('aborted');
  });

  it('aborts during the wait before the retry', async () => {
    script = [{ status: 503, body: err('WORKER_CRASHED'), headers: { 'retry-after': '1' } }, { status: 200 }];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const e = await failure(call({ signal: controller.signal, maxRetryDelayMs: 1000 }));
    expect(e.kind).toBe('aborted');
    expect(received).toHaveLength(1);
  });

  it('reports a network error when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await failure(call({ url: `http://127.0.0.1:${port}/api/segmentation/sam2` }));
    expect(e.kind).toBe('network');
  });

  it('rejects an answer that is not a segmentation response', async () => {
    script = [{ status: 200, body: { hello: 'world' } }];
    expect((await failure(call())).kind).toBe('server');
  });
});

describe('checkReadiness', () => {
  it('reads ready, a 503 state and an unreachable service', async () => {
    script = [{ status: 200, body: { ready: true, state: 'ready' } }];
    await expect(checkReadiness(`${base}/readyz`)).resolves.toEqual({ ready: true, state: 'ready' });

    script = [{ status: 503, body: { ready: false, state: 'loading', reason: 'warming up' } }];
    await expect(checkReadiness(`${base}/readyz`)).resolves.toEqual({
      ready: false,
      state: 'loading',
      reason: 'warming up',
    });

    script = [{ status: 502, body: 'bad gateway' }];
    await expect(checkReadiness(`${base}/readyz`)).resolves.toMatchObject({
      ready: false,
      state: 'unreachable',
    });

    script = [{ drop: true }];
    await expect(checkReadiness(`${base}/readyz`)).resolves.toMatchObject({
      ready: false,
      state: 'unreachable',
    });
  });

  it('treats the viewer proxy’s own errors and non-service answers as unreachable', async () => {
    script = [{ status: 503, body: err('SERVICE_UNAVAILABLE', 'SAM2 service unreachable') }];
    await expect(checkReadiness(`${base}/readyz`)).resolves.toEqual({
      ready: false,
      state: 'unreachable',
      reason: 'SAM2 service unreachable',
    });
    script = [{ status: 200, body: '<html>index</html>' }];
    await expect(checkReadiness(`${base}/readyz`)).resolves.toMatchObject({
      ready: false,
      state: 'unreachable',
    });
  });

  it('gives up after its own timeout', async () => {
    script = [{ delayMs: 1000, body: { ready: true } }];
    await expect(checkReadiness(`${base}/readyz`, { timeoutMs: 100 })).resolves.toMatchObject({
      ready: false,
      state: 'unreachable',
    });
  });
});

describe('segmentSlice (image_id reuse and IMAGE_NOT_FOUND fallback)', () => {
  const input = {
    sliceImageId: 'dicomfile:0',
    image: {
      rows: 2,
      columns: 2,
      getPixelData: () => Int16Array.from([1, 2, 3, 4]),
      preScale: { scaled: true },
    },
    window: { center: 40, width: 400 },
    photometric: 'MONOCHROME2' as const,
    identity: { slice_index: 0 },
    prompts: { points: [{ x: 1, y: 1, label: 1 as const }] },
  };
  const client = () => ({ url: `${base}/api/segmentation/sam2`, timeoutMs: 3000, retryDelayMs: 20 });
  const bodies = () => received.map((r) => JSON.parse(r.body));

  it('sends pixels first, then only the image_id for the same slice and window', async () => {
    const cache = new ImageIdCache();
    await segmentSlice(input, cache, client());
    await segmentSlice(input, cache, client());
    const [first, second] = bodies();
    expect(first.image_data).toBeDefined();
    expect(first.image_id).toBeUndefined();
    expect(second).toEqual({ image_id: OK.image_id, prompts: input.prompts, slice_index: 0 });
    // another window is another image for the service
    await segmentSlice({ ...input, window: { center: 400, width: 1800 } }, cache, client());
    expect(bodies()[2].image_data).toBeDefined();
  });

  it('resends the pixels after 404 IMAGE_NOT_FOUND', async () => {
    const cache = new ImageIdCache();
    await segmentSlice(input, cache, client());
    script = [{ status: 404, body: err('IMAGE_NOT_FOUND') }, { status: 200 }];
    await expect(segmentSlice(input, cache, client())).resolves.toMatchObject({ image_id: OK.image_id });
    const [, byId, again] = bodies();
    expect(byId.image_id).toBe(OK.image_id);
    expect(byId.image_data).toBeUndefined();
    expect(again.image_data).toBeDefined();
    expect(again.window).toEqual({ center: 40, width: 400, voi_lut_function: 'LINEAR' });
    expect(received).toHaveLength(3);
  });

  it('does not loop: a 404 for pixels is an error', async () => {
    script = [{ status: 404, body: err('IMAGE_NOT_FOUND') }];
    const e = await failure(segmentSlice(input, new ImageIdCache(), client()));
    expect(e.kind).toBe('image-not-found');
    expect(received).toHaveLength(1);
  });
});

describe('service limits (GET /info) refuse a too-large slice before uploading', () => {
  const info = (capabilities: Record<string, unknown>) => ({
    status: 200,
    body: { service: 'sam2-service', capabilities },
  });
  const slice = (columns: number, rows: number) => ({
    sliceImageId: `dicomfile:${columns}x${rows}`,
    image: {
      rows,
      columns,
      getPixelData: () => new Int16Array(rows * columns),
      preScale: { scaled: true },
    },
    photometric: 'MONOCHROME2' as const,
    identity: { slice_index: 0 },
    prompts: { points: [{ x: 1, y: 1, label: 1 as const }] },
  });
  const client = () => ({ url: `${base}/api/segmentation/sam2`, timeoutMs: 3000 });

  it('reads max_image_side, max_body_bytes and speculative_encoding from /info, and nothing from a foreign answer', async () => {
    script = [
      info({ max_image_side: 256, max_body_bytes: 100000 }),
      info({ max_image_side: 256, max_body_bytes: 100000, speculative_encoding: true }),
      { status: 200, body: { hello: 1 } },
    ];
    await expect(fetchServiceLimits(`${base}/api/segmentation/info`)).resolves.toEqual({
      maxImageSide: 256,
      maxBodyBytes: 100000,
      speculativeEncoding: false,
    });
    await expect(fetchServiceLimits(`${base}/api/segmentation/info`)).resolves.toEqual({
      maxImageSide: 256,
      maxBodyBytes: 100000,
      speculativeEncoding: true,
    });
    await expect(fetchServiceLimits(`${base}/api/segmentation/info`)).resolves.toBeUndefined();
    await expect(fetchServiceLimits('http://127.0.0.1:1/api/segmentation/info')).resolves.toBeUndefined();
  });

  it('refuses a slice wider than max_image_side with a clear message and sends nothing', async () => {
    const e = await failure(
      segmentSlice(
        { ...slice(512, 300), limits: { maxImageSide: 256, maxBodyBytes: 1e9 } },
        new ImageIdCache(),
        client(),
      ),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe('This slice is 512 × 300 pixels; the SAM2 service accepts at most 256 × 256.');
    expect(received).toHaveLength(0);
  });

  it('refuses a body over max_body_bytes and sends nothing; one that fits goes out', async () => {
    // 64 × 64 int16 = 8192 bytes -> 4 × ceil(8192 / 3) = 10,924 base64 characters, plus the other JSON.
    const limits = { maxImageSide: 4096, maxBodyBytes: 10924 };
    const e = await failure(segmentSlice({ ...slice(64, 64), limits }, new ImageIdCache(), client()));
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(
      /^This slice needs a 0\.0 MB upload; the SAM2 service accepts at most 0\.0 MB\.$/,
    );
    expect(received).toHaveLength(0);
    const fits = { maxImageSide: 4096, maxBodyBytes: 10924 + 1000 };
    await segmentSlice({ ...slice(64, 64), limits: fits }, new ImageIdCache(), client());
    expect(received).toHaveLength(1);
    // The size the check computes is the size that went on the wire.
    expect(Buffer.byteLength(received[0].body)).toBe(
      requestBodyBytes(buildSegmentRequest({ ...slice(64, 64) })),
    );
  });

  it('counts the body in UTF-8 bytes (a non-ASCII patient name)', () => {
    const request = { image_data: 'AAAA', patient_id: 'Müller' };
    expect(requestBodyBytes(request)).toBe(Buffer.byteLength(JSON.stringify(request)));
    expect(() => checkBodySize({ maxImageSide: 1, maxBodyBytes: 10 }, request)).toThrow(Sam2Error);
  });

  it('caches the limits and reads them again after forget()', async () => {
    let loads = 0;
    const cache = new ServiceLimitsCache(async () => {
      loads++;
      return { maxImageSide: 1, maxBodyBytes: 1 };
    }, 1000);
    await cache.get(0);
    await cache.get(500);
    expect(loads).toBe(1);
    await cache.get(1500);
    expect(loads).toBe(2);
    cache.forget();
    await cache.get(1600);
    expect(loads).toBe(3);
  });
});
