import { metricValue, postJson } from '../helpers/metricsText';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discSlice } from '../helpers/syntheticSlice';

const encodePath = '/api/segmentation/sam2/encode';
const spec = (outcome: string) => ({ outcome });

describe('POST /api/segmentation/sam2/encode (speculative encoding)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService();
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('encodes a slice so that a later click with the same pixels and display hits the embedding cache', async () => {
    const slice = discSlice(128, 3).body;
    const first = await postJson(service.url, encodePath, slice);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      image_id: expect.stringMatching(/^[0-9a-f]{64}$/),
      cached: false,
      model: { name: expect.any(String), family: 'samexporter', version: expect.any(String) },
    });
    const again = await postJson(service.url, encodePath, slice);
    expect(again.body).toMatchObject({ image_id: first.body.image_id, cached: true });

    const click = await postSegment(service.url, {
      ...slice,
      prompts: { points: [{ x: 64, y: 64, label: 1 }] },
    });
    expect(click.status).toBe(200);
    expect(click.body).toMatchObject({
      image_id: first.body.image_id,
      embedding_cached: true,
      cached: false,
    });
    expect(await metricValue(service.url, 'sam2_speculative_encodes_total', spec('requested'))).toBe(2);
    expect(await metricValue(service.url, 'sam2_speculative_encodes_total', spec('used'))).toBe(1);

    // Another window of the same pixels is another image: not the speculated one.
    const otherWindow = await postSegment(service.url, {
      ...slice,
      window: { center: 50, width: 350 },
      prompts: { points: [{ x: 64, y: 64, label: 1 }] },
    });
    expect(otherWindow.body.image_id).not.toBe(first.body.image_id);
    expect(otherWindow.body.embedding_cached).toBe(false);
    expect(await metricValue(service.url, 'sam2_speculative_encodes_total', spec('used'))).toBe(1);
  });

  it.each(['prompts', 'multimask', 'max_masks'])(
    'refuses a body with %s (400 naming the field)',
    async (field) => {
      const value =
        field === 'prompts' ? { points: [{ x: 1, y: 1, label: 1 }] } : field === 'multimask' ? true : 2;
      const res = await postJson(service.url, encodePath, { ...discSlice(128, 4).body, [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', details: { field } });
    },
  );

  it('validates the image fields like a segment request', async () => {
    const res = await postJson(service.url, encodePath, { ...discSlice(128, 4).body, width: 5000 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('width');
  });

  it('advertises the capability in /info', async () => {
    const info = (await (await fetch(`${service.url}/api/segmentation/info`)).json()) as {
      capabilities: Record<string, unknown>;
    };
    expect(info.capabilities.speculative_encoding).toBe(true);
  });
});

describe('SAM2_SPECULATIVE_ENCODING=false', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_SPECULATIVE_ENCODING: 'false' });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('answers 403 SPECULATION_DISABLED and says so in /info', async () => {
    const res = await postJson(service.url, encodePath, discSlice(128, 5).body);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('SPECULATION_DISABLED');
    const info = (await (await fetch(`${service.url}/info`)).json()) as {
      capabilities: Record<string, unknown>;
    };
    expect(info.capabilities.speculative_encoding).toBe(false);
  });
});
