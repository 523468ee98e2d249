import { fixtureModelDir } from '../helpers/fixtureModels';
import { type JsonAnswer, metricValue, postJson } from '../helpers/metricsText';
import { type ServiceProcess, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

/**
 * The scheduler with the real service and a slow FIXTURE encoder (~1 s uncontended, much more on a
 * loaded machine). Assertions are about order and counts, never about how long things take.
 */
const segmentPath = '/api/segmentation/sam2';
const encodePath = '/api/segmentation/sam2/encode';
const click = { prompts: { points: [{ x: 64, y: 64, label: 1 }] } };
/**
 * A disc slice whose first row spells `seed` in binary (air / bone pixels): every seed is another image
 * (another image_id), so nothing is cached or shared. (Shifting the disc's HU would saturate the window.)
 */
function distinctSlice(seed: number): Record<string, unknown> {
  const body = discSlice(128, 0).body;
  const bytes = Buffer.from(body.image_data as string, 'base64');
  const pixels = Int16Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(2 * i));
  for (let bit = 0; bit < 16; bit++) pixels[bit] = (seed >> bit) & 1 ? 200 : -1000;
  return { ...body, image_data: Buffer.from(pixels.buffer).toString('base64') };
}
const uncached = (seed: number) => ({ ...distinctSlice(seed), ...click });

async function health(
  service: ServiceProcess,
): Promise<{ queue: { depth: number }; workers: { busy: number } }> {
  return (await (await fetch(`${service.url}/health`)).json()) as {
    queue: { depth: number };
    workers: { busy: number };
  };
}

/** Polls until `check` holds (bounded, generous: this machine is shared). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Records the order in which answers arrive. */
function tracker() {
  const order: string[] = [];
  const track = (name: string, answer: Promise<JsonAnswer>) =>
    answer.then((a) => {
      order.push(name);
      return a;
    });
  return { order, track };
}

const encodesRun = (service: ServiceProcess) =>
  metricValue(service.url, 'sam2_encode_duration_seconds_count');

describe('scheduler (slow FIXTURE encoder, 1 worker, queue of 4)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({
      SAM2_MODEL_DIR: fixtureModelDir('samexporter-slow'),
      SAM2_MAX_QUEUE: '4',
      // Far beyond any encode here: admission is decided by the queue length alone.
      SAM2_REQUEST_TIMEOUT_MS: '600000',
    });
    await service.waitReady(120_000);
  }, 180_000);
  afterAll(() => service.stop());

  it('serves a click on an encoded slice before the encodes queued ahead of it', async () => {
    const first = await postJson(service.url, segmentPath, uncached(1));
    expect(first.status).toBe(200);
    const imageId: string = first.body.image_id;
    const encodesBefore = await encodesRun(service);
    const { order, track } = tracker();
    const encodes = [2, 3, 4].map((seed) =>
      track(`encode${seed}`, postJson(service.url, segmentPath, uncached(seed))),
    );
    await until(async () => (await health(service)).queue.depth >= 2, 'two encodes queued');
    const clickAnswer = await track(
      'click',
      postJson(service.url, segmentPath, {
        image_id: imageId,
        prompts: { points: [{ x: 30, y: 30, label: 1 }] },
      }),
    );
    expect(clickAnswer.status).toBe(200);
    expect(clickAnswer.body.embedding_cached).toBe(true);
    // When the click was answered, at most the encode already running had finished (FIFO: all three).
    expect(await encodesRun(service)).toBeLessThanOrEqual(encodesBefore + 1);
    const answers = await Promise.all(encodes);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    // At most the encode already running finished before the click; the queued ones came after it.
    expect(order.indexOf('click')).toBeLessThanOrEqual(1);
  }, 600_000);

  it('cancels the queued work of clients that went away', async () => {
    const cancelledBefore = await metricValue(service.url, 'sam2_tasks_cancelled_total');
    const encodesBefore = await encodesRun(service);
    const running = postJson(service.url, segmentPath, uncached(11));
    await until(async () => (await health(service)).workers.busy === 1, 'the first encode running');
    const controllers = [12, 13, 14].map(() => new AbortController());
    const gone = [12, 13, 14].map((seed, i) =>
      postJson(service.url, segmentPath, uncached(seed), { signal: controllers[i].signal }).catch(
        (e: Error) => e.name,
      ),
    );
    await until(async () => (await health(service)).queue.depth === 3, 'three encodes queued');
    controllers.forEach((c) => c.abort());
    expect(await Promise.all(gone)).toEqual(['AbortError', 'AbortError', 'AbortError']);
    await until(async () => (await health(service)).queue.depth === 0, 'the queue emptied');
    // A request aborted just as the worker took it runs to the end (an encode cannot stop midway).
    const cancelled = (await metricValue(service.url, 'sam2_tasks_cancelled_total')) - cancelledBefore;
    expect(cancelled).toBeGreaterThanOrEqual(2);
    expect((await running).status).toBe(200);
    await until(async () => (await health(service)).workers.busy === 0, 'the worker idle');
    // Only the request still waiting got an encoder run.
    expect(await encodesRun(service)).toBe(encodesBefore + 1 + (3 - cancelled));
  }, 600_000);

  it('drops queued speculative encodes for interactive work: no 429 for the click', async () => {
    const dropped = () =>
      metricValue(service.url, 'sam2_admission_refusals_total', {
        priority: 'speculative',
        stage: 'dropped',
      });
    const droppedBefore = await dropped();
    // One runs, four wait (SAM2_MAX_QUEUE 4), the sixth is refused at once.
    const speculative = Array.from({ length: 6 }, (_, i) =>
      postJson(service.url, encodePath, distinctSlice(300 + i)),
    );
    await until(
      async () => (await health(service)).queue.depth === 4,
      'the queue full of speculative encodes',
    );
    const interactive = await Promise.all(
      [22, 23].map((seed) => postJson(service.url, segmentPath, uncached(seed))),
    );
    expect(interactive.map((a) => a.status)).toEqual([200, 200]);
    const spec = await Promise.all(speculative);
    expect(spec.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    const refused = spec.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(3); // the sixth, and two dropped for the clicks
    expect(refused[0].body.error.code).toBe('QUEUE_FULL');
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await dropped()) - droppedBefore).toBe(2);
  }, 600_000);

  it('answers a request refused before its body with a 429, not a reset, however large the body', async () => {
    const beforeBody = () =>
      metricValue(service.url, 'sam2_admission_refusals_total', { priority: 'encode', stage: 'before_body' });
    const refusedBefore = await beforeBody();
    // One encode runs, four wait (SAM2_MAX_QUEUE 4): the next pixel request is refused on arrival.
    const admitted = [51, 52, 53, 54, 55].map((seed) => postJson(service.url, segmentPath, uncached(seed)));
    await until(async () => (await health(service)).queue.depth === 4, 'the queue full');
    // A 1024² int16 slice: ~2.8 MB of JSON, sent with fetch, which reads the answer after its upload.
    const large = await postJson(service.url, segmentPath, { ...discSlice(1024, 3).body, ...click });
    expect(large.status).toBe(429);
    expect(large.body.error.code).toBe('QUEUE_FULL');
    expect(Number(large.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(large.headers.get('connection')).toBe('close');
    expect((await beforeBody()) - refusedBefore).toBe(1);
    expect((await Promise.all(admitted)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
  }, 600_000);
});

describe('a burst beyond what fits in the time limit', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({
      SAM2_MODEL_DIR: fixtureModelDir('samexporter-slow'),
      SAM2_REQUEST_TIMEOUT_MS: '20000',
    });
    await service.waitReady(120_000);
  }, 180_000);
  afterAll(() => service.stop());

  it('answers 200 or an immediate 429, never 504, and runs no encode for a refused request', async () => {
    // Size the burst from this machine's speed now: about twice what fits in the 20 s limit.
    const probe = await postJson(service.url, segmentPath, uncached(39));
    expect(probe.status).toBe(200);
    const burst = Math.min(60, Math.ceil((2 * 20_000) / probe.ms) + 4);
    // The estimates admission uses are public (GET /health): measured, and a margin of at least a decoder run.
    const { estimates } = (
      (await (await fetch(`${service.url}/health`)).json()) as {
        queue: { estimates: { encode_ms: number; decoder_run_ms: number; safety_ms: number } };
      }
    ).queue;
    expect(estimates.encode_ms).toBeGreaterThan(0);
    expect(estimates.safety_ms).toBeGreaterThanOrEqual(estimates.decoder_run_ms);
    const encodesBefore = await encodesRun(service);
    const { order, track } = tracker();
    const answers = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        track(`r${i}`, postJson(service.url, segmentPath, uncached(40 + i))),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // A refused client gets its 429 (with Retry-After and the service's own time), not a reset.
    for (const r of refused) {
      expect(r.body.error.code).toBe('QUEUE_FULL');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d+)?$/);
    }
    // The 429s refused before their body was read came before the first 200 (which needs a whole
    // encoder run); the others were refused when their task was queued or dispatched, by estimates the
    // runs since had updated (never run, see below).
    const refusals = (stage: string) =>
      metricValue(service.url, 'sam2_admission_refusals_total', { priority: 'encode', stage });
    const beforeBody = await refusals('before_body');
    expect(beforeBody + (await refusals('admission')) + (await refusals('dispatch'))).toBe(refused.length);
    const firstOk = Math.min(...ok.map((a) => order.indexOf(`r${answers.indexOf(a)}`)));
    const early = refused.filter((r) => order.indexOf(`r${answers.indexOf(r)}`) < firstOk);
    expect(early.length).toBeGreaterThanOrEqual(beforeBody);
    await until(async () => (await health(service)).workers.busy === 0, 'the worker idle');
    // No encoder run for a request that was then refused or timed out.
    expect(await encodesRun(service)).toBe(encodesBefore + ok.length);
    // Each 429 was measured by the service (sam2_refusal_duration_seconds).
    expect(
      await metricValue(service.url, 'sam2_refusal_duration_seconds_count', { route: segmentPath }),
    ).toBe(refused.length);
  }, 600_000);
});
