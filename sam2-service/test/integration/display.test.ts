import { centreClick, int16SliceBody } from '../../scripts/lib/syntheticSlice';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';

/** A 64 × 64 int16 HU slice: a bright disc (HU 200) on a ramp (HU -200 … 430); one point on the disc. */
function body(extra: Record<string, unknown>) {
  const hu = (x: number, y: number) => ((x - 32) ** 2 + (y - 32) ** 2 < 100 ? 200 : (x + y) * 5 - 200);
  return { ...int16SliceBody(64, hu), prompts: centreClick(64), ...extra };
}

describe('what the user sees is what the encoder sees (FIXTURE model, real HTTP)', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startService();
    await service.waitReady();
  });
  afterAll(() => service.stop());

  async function imageIdOf(extra: Record<string, unknown>): Promise<{ id: string; cached: boolean }> {
    const res = await postSegment(service.url, body(extra));
    expect(res.status).toBe(200);
    return { id: res.body.image_id, cached: res.body.cached };
  }

  it('gives another image_id (and no cached result) when the display is inverted', async () => {
    const plain = await imageIdOf({ photometric: 'MONOCHROME2' });
    const inverted = await imageIdOf({ photometric: 'MONOCHROME2', invert: true });
    expect(inverted.id).not.toBe(plain.id);
    expect(inverted.cached).toBe(false);
    // MONOCHROME1 is shown inverted unless the viewer says otherwise: the same display, the same image.
    expect((await imageIdOf({ photometric: 'MONOCHROME1' })).id).toBe(inverted.id);
    expect((await imageIdOf({ photometric: 'MONOCHROME1', invert: false })).id).toBe(plain.id);
    expect((await imageIdOf({ invert: false })).id).toBe(plain.id);
  });

  it('gives another image_id for another VOI LUT function of the same window', async () => {
    const ids = new Set<string>();
    for (const voi_lut_function of ['LINEAR', 'LINEAR_EXACT', 'SIGMOID']) {
      ids.add((await imageIdOf({ window: { center: 40, width: 400, voi_lut_function } })).id);
    }
    expect(ids.size).toBe(3);
    expect((await imageIdOf({ window: { center: 40, width: 400 } })).id).toBe(
      (await imageIdOf({ window: { center: 40, width: 400, voi_lut_function: 'LINEAR' } })).id,
    );
  });

  it('names a bad VOI LUT function or a LINEAR width below 1', async () => {
    const bad = await postSegment(
      service.url,
      body({ window: { center: 0, width: 9, voi_lut_function: 'X' } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.field).toBe('window.voi_lut_function');
    const narrow = await postSegment(service.url, body({ window: { center: 0, width: 0.5 } }));
    expect(narrow.status).toBe(400);
    expect(narrow.body.error.details.field).toBe('window.width');
  });
});
