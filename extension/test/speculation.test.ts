/**
 * Speculative encoding through the client against a real HTTP server on 127.0.0.1 (node:http): the
 * encode request carries the slice's image fields and no prompts, its image_id lands under the click's
 * key (so the click sends the image_id only), scrolling on closes the running request's connection, and
 * nothing is sent when the service does not offer speculation, the viewer switches it off or a click runs.
 * (The service's own handling of /encode is tested with the real service in the browser test.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sam2Encode } from '../src/api/client';
import { encodeSlice } from '../src/api/encodeSlice';
import { Sam2Error } from '../src/api/errors';
import type { ServiceLimits } from '../src/api/limits';
import { ImageIdCache } from '../src/api/request';
import { segmentSlice } from '../src/api/segmentSlice';
import { DEFAULT_CONFIG } from '../src/config';
import type { Sam2Config } from '../src/config';
import { Speculator } from '../src/speculation/speculator';

interface Seen {
  url?: string;
  body: Record<string, unknown>;
  /** Resolves when the client closed the connection before the answer. */
  closed: Promise<void>;
  answer(status: number, body: unknown, headers?: Record<string, string>): void;
}

let server: http.Server;
let base: string;
let seen: Seen[] = [];
/** How the server answers each request: at once, or held for the test to answer. */
let mode: 'answer' | 'hold' = 'answer';

const imageIdFor = (n: number) => n.toString(16).padStart(64, '0');
const SEGMENT_OK = (imageId: string) => ({
  masks: [],
  mode: 'prompt',
  image_id: imageId,
  processing_time_ms: 1,
  cached: false,
  embedding_cached: true,
  model: { name: 'm', family: 'samexporter', version: 'v' },
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let closedResolve: () => void = () => undefined;
      const closed = new Promise<void>((r) => (closedResolve = r));
      res.on('close', () => {
        if (!res.writableFinished) closedResolve();
      });
      const entry: Seen = {
        url: req.url,
        body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
        closed,
        answer: (status, body, headers = {}) => {
          if (res.destroyed) return;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
        },
      };
      seen.push(entry);
      if (mode === 'hold') return;
      const id = imageIdFor(seen.length);
      if (req.url?.endsWith('/encode')) entry.answer(200, { image_id: id, cached: false });
      else entry.answer(200, SEGMENT_OK((entry.body.image_id as string | undefined) ?? id));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen = [];
  mode = 'answer';
});

const slice = (id: string, center = 40) => ({
  sliceImageId: `dicomfile:${id}`,
  image: { rows: 8, columns: 8, getPixelData: () => new Int16Array(64), preScale: { scaled: true } },
  window: { center, width: 400 },
  photometric: 'MONOCHROME2' as const,
  identity: { slice_index: 3 },
});
const encodeUrl = () => `${base}/api/segmentation/sam2/encode`;
const LIMITS: ServiceLimits = { maxImageSide: 4096, maxBodyBytes: 1e8, speculativeEncoding: true };

describe('encodeSlice', () => {
  it('sends the image fields without prompts; the click then sends only the image_id', async () => {
    const cache = new ImageIdCache();
    const answer = await encodeSlice(slice('a'), cache, { url: encodeUrl(), timeoutMs: 3000 });
    expect(answer?.image_id).toBe(imageIdFor(1));
    expect(seen[0].url).toBe('/api/segmentation/sam2/encode');
    expect(seen[0].body).toMatchObject({
      image_type: 'int16',
      width: 8,
      height: 8,
      rescale: { slope: 1, intercept: 0 },
      window: { center: 40, width: 400, voi_lut_function: 'LINEAR' },
      photometric: 'MONOCHROME2',
      slice_index: 3,
    });
    expect(typeof seen[0].body.image_data).toBe('string');
    expect(seen[0].body.prompts).toBeUndefined();

    // Known now: a second speculative encode sends nothing.
    await expect(encodeSlice(slice('a'), cache, { url: encodeUrl(), timeoutMs: 3000 })).resolves.toBe(
      undefined,
    );
    expect(seen).toHaveLength(1);

    const response = await segmentSlice(
      { ...slice('a'), prompts: { points: [{ x: 1, y: 1, label: 1 }] } },
      cache,
      { url: `${base}/api/segmentation/sam2`, timeoutMs: 3000 },
    );
    expect(response.embedding_cached).toBe(true);
    expect(seen[1].body).toEqual({
      image_id: imageIdFor(1),
      prompts: { points: [{ x: 1, y: 1, label: 1 }] },
      slice_index: 3,
    });
  });

  it('another window is another image: the click with it uploads the pixels', async () => {
    const cache = new ImageIdCache();
    await encodeSlice(slice('a', 40), cache, { url: encodeUrl(), timeoutMs: 3000 });
    await segmentSlice({ ...slice('a', 400) }, cache, {
      url: `${base}/api/segmentation/sam2`,
      timeoutMs: 3000,
    });
    expect(typeof seen[1].body.image_data).toBe('string');
    expect(seen[1].body.image_id).toBeUndefined();
  });

  it('a 429 is a busy error at once, never retried', async () => {
    mode = 'hold';
    const pending = sam2Encode({ image_id: 'x' }, { url: encodeUrl(), timeoutMs: 3000, retryDelayMs: 1 });
    await waitFor(() => seen.length === 1);
    seen[0].answer(429, { error: { code: 'QUEUE_FULL', message: 'busy' } }, { 'retry-after': '3' });
    const e = (await pending.catch((err: unknown) => err)) as Sam2Error;
    expect(e).toBeInstanceOf(Sam2Error);
    expect(e.kind).toBe('busy');
    expect(e.retryAfterS).toBe(3);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(1);
  });
});

/** Polls `ok` every 5 ms for up to 5 s (bounded: answers instead of hanging). */
async function waitFor(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Speculator (dwell 20 ms)', () => {
  function setUp(overrides: Partial<Sam2Config> = {}, limits: ServiceLimits | undefined = LIMITS) {
    const state = { shown: slice('a'), idle: true };
    const cache = new ImageIdCache();
    const speculator = new Speculator({
      config: () => ({ ...DEFAULT_CONFIG, encodeUrl: encodeUrl(), speculationDwellMs: 20, ...overrides }),
      idle: () => state.idle,
      shownInput: () => state.shown,
      limits: async () => limits,
      cache,
    });
    return { state, cache, speculator };
  }

  it('encodes the slice the user stays on and remembers its image_id for the click', async () => {
    const { speculator, cache } = setUp();
    speculator.consider();
    await waitFor(() => speculator.stats.encoded === 1);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('/api/segmentation/sam2/encode');
    expect(seen[0].body.prompts).toBeUndefined();
    expect(cache.get('dicomfile:a|40/400/LINEAR|MONOCHROME2|header')).toBe(imageIdFor(1));
    speculator.stop();
  });

  it('scrolling on closes the running request of the slice left behind and encodes the new one', async () => {
    mode = 'hold';
    const { speculator, state } = setUp();
    speculator.consider();
    await waitFor(() => seen.length === 1);
    state.shown = slice('b');
    speculator.consider();
    await seen[0].closed; // the connection of slice a's request is gone: the service can cancel it
    await waitFor(() => seen.length === 2);
    expect(speculator.stats.cancelled).toBe(1);
    seen[1].answer(200, { image_id: imageIdFor(9), cached: false });
    await waitFor(() => speculator.stats.encoded === 1);
    speculator.stop();
  });

  it('sends nothing when the service does not offer it, the viewer switches it off, or a click runs', async () => {
    const off = setUp({}, { ...LIMITS, speculativeEncoding: false });
    off.speculator.consider();
    const disabled = setUp({ speculativeEncoding: false });
    disabled.speculator.consider();
    const busy = setUp();
    busy.state.idle = false;
    busy.speculator.consider();
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(0);
    for (const s of [off, disabled, busy]) s.speculator.stop();
  });
});
