import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

/**
 * Grid points of automatic mode on discSlice(128): cell centres of a 12 × 12 grid that fall inside the
 * soft-tissue disc (radius 32 around (64, 64); outside is air at −1000 HU), counted here from the
 * slice's geometry, not with the service's code.
 */
function discGridPoints(perSide = 12, size = 128): number {
  let count = 0;
  for (let gy = 0; gy < perSide; gy++) {
    for (let gx = 0; gx < perSide; gx++) {
      const x = Math.floor(((gx + 0.5) * size) / perSide);
      const y = Math.floor(((gy + 0.5) * size) / perSide);
      if ((x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 4) ** 2) count++;
    }
  }
  return count;
}

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
