import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discGridPoints, discSlice } from '../helpers/syntheticSlice';

describe.each([
  ['8 (default)', {}, 8],
  ['1', { SAM2_AUTO_BATCH: '1' }, 1],
])('automatic mode with a decoder batch of %s', (_name, env, batch) => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService(env);
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('runs the grid in batches and reports decoder runs and ms', async () => {
    const points = discGridPoints();
    expect(points).toBeGreaterThan(8); // several batches
    const res = await postSegment(service.url, discSlice(128, 1).body);
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('automatic');
    expect(res.body.timing).toEqual({
      decoder_runs: Math.ceil(points / batch),
      decode_ms: expect.any(Number),
    });
    expect(res.body.timing.decode_ms).toBeGreaterThan(0);
    expect(res.body.masks.length).toBeGreaterThan(0);
    // The result cache answers without computing: no timing then.
    const again = await postSegment(service.url, discSlice(128, 1).body);
    expect(again.body.cached).toBe(true);
    expect(again.body.timing).toBeUndefined();
  });
});
