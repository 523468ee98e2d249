import { fixtureModelDir } from '../helpers/fixtureModels';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

/** Each seed gives different grey levels (10 HU ≈ 6 grey levels apart), so nothing is cached or shared. */
const uncached = (seed: number) => ({
  ...discSlice(128, seed * 10).body,
  prompts: { points: [{ x: 64, y: 64, label: 1 }] },
});

describe('under load (slow FIXTURE encoder, 1 worker, queue of 1)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({
      SAM2_MODEL_DIR: fixtureModelDir('samexporter-slow'),
      SAM2_MAX_QUEUE: '1',
      // A limit no encode on a loaded machine reaches: here the queue length alone decides admission.
      SAM2_REQUEST_TIMEOUT_MS: '600000',
    });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('answers 429 with Retry-After when the queue is full, while /healthz stays fast', async () => {
    const inFlight = [1, 2, 3, 4, 5].map((seed) => postSegment(service.url, uncached(seed)));
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    const alive = await fetch(`${service.url}/healthz`);
    const healthzMs = performance.now() - started;
    expect(alive.status).toBe(200);
    expect(healthzMs).toBeLessThan(1000); // generous: the point is that it is not stuck behind inference
    const results = await Promise.all(inFlight);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(3);
    expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused[0].body.error.code).toBe('QUEUE_FULL');
  });
});

describe('request time limit', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({
      SAM2_MODEL_DIR: fixtureModelDir('samexporter-slow'),
      SAM2_REQUEST_TIMEOUT_MS: '100',
    });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('answers 504 when a request takes longer than SAM2_REQUEST_TIMEOUT_MS, and keeps serving', async () => {
    const res = await postSegment(service.url, uncached(7));
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({ code: 'TIMEOUT', details: { timeout_ms: 100 } });
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});
