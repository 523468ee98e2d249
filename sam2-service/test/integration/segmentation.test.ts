import { decodeRle } from '../../src/mask/rle';
import { fixtureModelDir } from '../helpers/fixtureModels';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import {
  type CtSlice,
  abdomenBoxes,
  describeWithSharedData,
  exampleAbdomenSlice,
  segmentBody,
} from '../helpers/sharedData';

/** Fraction of mask pixels inside a box [x0, y0, x1, y1]. */
function fractionInside(mask: Uint8Array, width: number, box: readonly number[]): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    total++;
    const x = i % width;
    const y = Math.floor(i / width);
    if (x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]) inside++;
  }
  return total === 0 ? 0 : inside / total;
}

async function metricValue(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describeWithSharedData.each(['samexporter', 'onnx-community'] as const)(
  'segmentation of a real CT slice (%s FIXTURE model, real ORT, real HTTP)',
  (family) => {
    let service: ServiceProcess;
    let slice: CtSlice;

    beforeAll(async () => {
      slice = exampleAbdomenSlice();
      service = await startService({ SAM2_MODEL_DIR: fixtureModelDir(family) });
      await service.waitReady();
    });
    afterAll(() => service.stop());

    it('segments with a box: the mask lies inside the box', async () => {
      const res = await postSegment(
        service.url,
        segmentBody(slice, { prompts: { box: abdomenBoxes.liver } }),
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ mode: 'prompt', cached: false, embedding_cached: false });
      expect(res.body.model).toMatchObject({ family, name: expect.stringContaining('FIXTURE') });
      expect(res.body.image_id).toMatch(/^[0-9a-f]{64}$/);
      const [mask] = res.body.masks;
      expect(mask.rle.size).toEqual([512, 512]);
      const decoded = decodeRle(mask.rle);
      expect(decoded.reduce((a: number, b: number) => a + b, 0)).toBe(mask.area);
      expect(mask.area).toBeGreaterThan(2000);
      expect(fractionInside(decoded, 512, abdomenBoxes.liver)).toBe(1);
      const [x0, y0, x1, y1] = mask.bbox;
      expect(x0).toBeGreaterThanOrEqual(107);
      expect(y0).toBeGreaterThanOrEqual(196);
      expect(x1).toBeLessThanOrEqual(269);
      expect(y1).toBeLessThanOrEqual(374);
      expect(mask.score).toBeCloseTo(0.92, 2); // the fixture's best candidate by predicted IoU
    });

    it('segments with points: the mask covers the positive point, not the negative one, decoder only', async () => {
      const encodesBefore = await metricValue(service.url, 'sam2_encode_duration_seconds_count');
      const positive = { x: 180, y: 280, label: 1 };
      const negative = { x: 200, y: 280, label: 0 };
      const res = await postSegment(
        service.url,
        segmentBody(slice, { prompts: { points: [positive, negative] } }),
      );
      expect(res.status).toBe(200);
      expect(res.body.embedding_cached).toBe(true);
      expect(await metricValue(service.url, 'sam2_encode_duration_seconds_count')).toBe(encodesBefore);
      const mask = decodeRle(res.body.masks[0].rle);
      expect(mask[positive.y * 512 + positive.x]).toBe(1);
      expect(mask[negative.y * 512 + negative.x]).toBe(0);
      // A click in the liver stays in the liver's neighbourhood, well inside the liver box.
      expect(fractionInside(mask, 512, abdomenBoxes.liver)).toBeGreaterThan(0.8);
    });

    it('returns all three candidates, best first, with multimask', async () => {
      const res = await postSegment(
        service.url,
        segmentBody(slice, { prompts: { points: [{ x: 180, y: 280, label: 1 }] }, multimask: true }),
      );
      expect(res.status).toBe(200);
      const scores = res.body.masks.map((m: { score: number }) => m.score);
      expect(scores).toHaveLength(3);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    });

    it('runs automatic mode without prompts: ranked, de-duplicated masks on the body', async () => {
      const res = await postSegment(service.url, segmentBody(slice, { max_masks: 4 }));
      expect(res.status).toBe(200);
      expect(res.body.mode).toBe('automatic');
      const masks = res.body.masks as { score: number; stability: number; area: number; rle: never }[];
      expect(masks.length).toBeGreaterThan(0);
      expect(masks.length).toBeLessThanOrEqual(4);
      const ranks = masks.map((m) => m.score * m.stability);
      expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
      const decoded = masks.map((m) => decodeRle(m.rle));
      for (let i = 0; i < decoded.length; i++) {
        for (let j = i + 1; j < decoded.length; j++) {
          let inter = 0;
          let union = 0;
          for (let k = 0; k < decoded[i].length; k++) {
            inter += decoded[i][k] & decoded[j][k];
            union += decoded[i][k] | decoded[j][k];
          }
          expect(inter / union).toBeLessThan(0.7);
        }
      }
    });

    it('serves a repeated request from the result cache and a new prompt by image_id', async () => {
      const body = segmentBody(slice, { prompts: { box: abdomenBoxes.spleen } });
      const first = await postSegment(service.url, body);
      const second = await postSegment(service.url, body);
      expect(first.body.cached).toBe(false);
      expect(second.body).toMatchObject({
        cached: true,
        masks: first.body.masks,
        image_id: first.body.image_id,
      });
      const byId = await postSegment(service.url, {
        image_id: first.body.image_id,
        prompts: { box: abdomenBoxes.aorta },
      });
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({ cached: false, embedding_cached: true });
      expect(fractionInside(decodeRle(byId.body.masks[0].rle), 512, abdomenBoxes.aorta)).toBe(1);
    });

    it('computes concurrent identical requests once', async () => {
      const body = segmentBody(slice, {
        window: { center: 50, width: 350 },
        prompts: { box: abdomenBoxes.spleen },
      });
      const encodesBefore = await metricValue(service.url, 'sam2_encode_duration_seconds_count');
      const decodesBefore = await metricValue(
        service.url,
        'sam2_decode_duration_seconds_count',
        '{mode="prompt"}',
      );
      const results = await Promise.all([1, 2, 3].map(() => postSegment(service.url, body)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(new Set(results.map((r) => JSON.stringify(r.body.masks))).size).toBe(1);
      expect(await metricValue(service.url, 'sam2_encode_duration_seconds_count')).toBe(encodesBefore + 1);
      expect(await metricValue(service.url, 'sam2_decode_duration_seconds_count', '{mode="prompt"}')).toBe(
        decodesBefore + 1,
      );
    });

    it('never logs the patient id, UIDs or pixel data', () => {
      const log = service.logs.join('\n');
      expect(log).toContain('segmentation done');
      for (const secret of [slice.patientId, slice.studyUid, slice.seriesUid, slice.sopUid]) {
        expect(secret.length).toBeGreaterThan(3);
        expect(log).not.toContain(secret);
      }
      const pixels = segmentBody(slice).image_data as string;
      expect(log).not.toContain(pixels.slice(1000, 1040));
      // Requests are traceable by request id and image hash prefix instead.
      expect(log).toMatch(/"reqId":"[^"]+","image":"[0-9a-f]{12}"/);
    });
  },
);

describeWithSharedData('a decoder that outputs full-size masks (orig_im_size input)', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ SAM2_MODEL_DIR: fixtureModelDir('samexporter-origsize') });
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it('feeds orig_im_size and uses the full-size masks', async () => {
    const slice = exampleAbdomenSlice();
    const res = await postSegment(service.url, segmentBody(slice, { prompts: { box: abdomenBoxes.liver } }));
    expect(res.status).toBe(200);
    const mask = decodeRle(res.body.masks[0].rle);
    expect(res.body.masks[0].area).toBeGreaterThan(2000);
    expect(fractionInside(mask, 512, abdomenBoxes.liver)).toBe(1);
  });
});
