/**
 * "A 413 poisons the connection": the service answers a body error before reading the whole body. The
 * proxy must pass that answer on at once and never send another request on that connection.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Agent, request as undiciRequest } from 'undici';
import type { RunningViewer } from '../src/server';
import { startInProcessViewer } from './helpers/inProcessViewer';
import { rawRequest, type RawUpstream, startRawUpstream } from './helpers/rawUpstream';
import { discSliceBody, type ServiceProcess, startSam2Service } from './helpers/sam2Service';

// Far above every wait below: a request that waits for it has hung.
const proxyTimeout = { SAM2_PROXY_TIMEOUT_MS: '120000' };
const answersWithin = { headersTimeout: 20000, bodyTimeout: 20000 };

async function readyz(viewer: RunningViewer): Promise<number> {
  const res = await undiciRequest(`${viewer.url}/api/segmentation/readyz`, answersWithin);
  await res.body.dump();
  return res.statusCode;
}

/** A JSON-looking body of `bytes` bytes, produced in 64 KiB chunks; `sent()` tells how much was read. */
function slowBody(bytes: number): { stream: Readable; sent: () => number } {
  let produced = 0;
  const chunk = Buffer.alloc(64 * 1024, 'A');
  const stream = new Readable({
    read() {
      if (produced >= bytes) return void this.push(null);
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, sent: () => produced };
}

/** Requests the upstream saw on the POST's connection after the POST (the proxy must send none). */
function requestsAfterPostOnItsConnection(upstream: RawUpstream): string[] {
  const at = upstream.requests.findIndex((r) => r.requestLine.startsWith('POST'));
  const { connection } = upstream.requests[at];
  return upstream.requests
    .slice(at + 1)
    .filter((r) => r.connection === connection)
    .map((r) => r.requestLine);
}

describe('SAM2 proxy: a service that stops reading after a body error (as the service used to)', () => {
  let upstream: RawUpstream;
  let viewer: RunningViewer;
  beforeEach(async () => {
    // The 413 comes once the proxy has written a small body completely (into socket buffers, unread).
    upstream = await startRawUpstream({ readLimit: 64 * 1024, answerDelayMs: 500 });
    viewer = await startInProcessViewer({ SAM2_SERVICE_URL: upstream.url, ...proxyTimeout });
    await viewer.readinessChecked;
  });
  afterEach(async () => {
    await viewer.close();
    await upstream.close();
  });

  it('a body small enough to sit in socket buffers: 413 at once, and the next request is answered', async () => {
    const res = await undiciRequest(`${viewer.url}/api/segmentation/sam2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(300 * 1024, 'A'),
      ...answersWithin,
    });
    expect(res.statusCode).toBe(413);
    expect(((await res.body.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
    for (let i = 0; i < 3; i++) expect(await readyz(viewer)).toBe(200);
    expect(requestsAfterPostOnItsConnection(upstream)).toEqual([]);
  });

  it('a large chunked upload: the 413 arrives while the browser is still sending', async () => {
    // One browser connection: the rest of the upload is drained, so the next request on it is answered.
    const browser = new Agent({ connections: 1 });
    const total = 64 * 1024 * 1024;
    const body = slowBody(total);
    try {
      const res = await undiciRequest(`${viewer.url}/api/segmentation/sam2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body.stream,
        dispatcher: browser,
        ...answersWithin,
      });
      expect(res.statusCode).toBe(413);
      expect(body.sent()).toBeLessThan(total);
      await res.body.dump();
      const next = await undiciRequest(`${viewer.url}/api/segmentation/readyz`, {
        dispatcher: browser,
        ...answersWithin,
      });
      expect(next.statusCode).toBe(200);
      await next.body.dump();
      expect(await readyz(viewer)).toBe(200);
    } finally {
      await browser.close();
    }
  });
});

describe('SAM2 proxy: a service that says Connection: close but keeps the socket open', () => {
  it('never sends another request on that connection', async () => {
    const upstream = await startRawUpstream({ readLimit: 16 * 1024, closeHeader: true });
    const viewer = await startInProcessViewer({ SAM2_SERVICE_URL: upstream.url, ...proxyTimeout });
    try {
      await viewer.readinessChecked;
      const res = await undiciRequest(`${viewer.url}/api/segmentation/sam2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.alloc(32 * 1024, 'A'),
        ...answersWithin,
      });
      expect(res.statusCode).toBe(413);
      await res.body.dump();
      expect(await readyz(viewer)).toBe(200);
      expect(requestsAfterPostOnItsConnection(upstream)).toEqual([]);
    } finally {
      await viewer.close();
      await upstream.close();
    }
  });
});

describe('SAM2 proxy: body errors of the real service (FIXTURE model)', () => {
  let service: ServiceProcess;
  let viewer: RunningViewer;
  beforeAll(async () => {
    service = await startSam2Service({ SAM2_MAX_BODY: '1mb' });
    viewer = await startInProcessViewer({ SAM2_SERVICE_URL: service.url, ...proxyTimeout });
  });
  afterAll(async () => {
    await viewer.close();
    await service.stop();
  });

  it('an oversized chunked gzip body: 413 PAYLOAD_TOO_LARGE at once, then the service still answers', async () => {
    // ~6 MB of JSON once inflated, ~4.5 MB on the wire (base64 of random-looking bytes barely compresses).
    const pixels = Buffer.alloc(4_500_000);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
    const gz = gzipSync(JSON.stringify({ image_data: pixels.toString('base64'), width: 1, height: 1 }));
    const chunks: Buffer[] = [];
    for (let i = 0; i < gz.length; i += 16384) {
      const part = gz.subarray(i, i + 16384);
      chunks.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from('0\r\n\r\n'));
    const answer = await rawRequest(
      viewer.url,
      'POST /api/segmentation/sam2 HTTP/1.1\r\nHost: viewer\r\nContent-Type: application/json\r\n' +
        'Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n',
      Buffer.concat(chunks),
      20000,
    );
    expect(answer.split('\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(answer.slice(answer.indexOf('\n') + 1)).error.code).toBe('PAYLOAD_TOO_LARGE');

    for (let i = 0; i < 3; i++) expect(await readyz(viewer)).toBe(200);
    const seg = await undiciRequest(`${viewer.url}/api/segmentation/sam2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(discSliceBody()),
      ...answersWithin,
    });
    expect(seg.statusCode).toBe(200);
    expect(((await seg.body.json()) as any).masks).toHaveLength(1);
  });
});
