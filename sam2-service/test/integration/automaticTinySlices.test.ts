import { readFileSync } from 'node:fs';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { describeWithFieldCases, fieldCase } from '../helpers/fieldCases';

interface Rle {
  size: [number, number];
  counts: number[];
}

/** Column-major COCO RLE -> row-major 0/1 pixels; written here so the check does not use the service's. */
function pixelsOf(rle: Rle): number[] {
  const [height, width] = rle.size;
  const columnMajor: number[] = [];
  rle.counts.forEach((count, i) => {
    for (let k = 0; k < count; k++) columnMajor.push(i % 2);
  });
  expect(columnMajor).toHaveLength(height * width);
  const out = new Array<number>(height * width).fill(0);
  columnMajor.forEach((v, k) => {
    out[(k % height) * width + Math.floor(k / height)] = v;
  });
  return out;
}

function iou(a: number[], b: number[]): number {
  let intersection = 0;
  let union = 0;
  a.forEach((v, i) => {
    intersection += v & b[i];
    union += v | b[i];
  });
  return union === 0 ? 0 : intersection / union;
}

describeWithFieldCases('automatic mode filters at the returned size (field case c09, FIXTURE model)', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startService();
    await service.waitReady();
  });
  afterAll(() => service.stop());

  it.each(['auto_8x8.json', 'auto_16x16.json'])(
    '%s: no empty mask, no pair of returned masks at IoU >= 0.7',
    async (file) => {
      const body = JSON.parse(readFileSync(fieldCase('c09-automatic-tiny-slices', file), 'utf8'));
      const res = await postSegment(service.url, body);
      expect(res.status).toBe(200);
      expect(res.body.mode).toBe('automatic');
      const masks = res.body.masks as { rle: Rle; area: number }[];
      expect(masks.length).toBeGreaterThan(0);
      const decoded = masks.map((m) => pixelsOf(m.rle));
      decoded.forEach((pixels, i) => {
        expect(masks[i].rle.size).toEqual([body.height, body.width]);
        const area = pixels.reduce((s, v) => s + v, 0);
        expect(area).toBeGreaterThan(0);
        expect(masks[i].area).toBe(area);
      });
      for (let i = 0; i < decoded.length; i++) {
        for (let j = i + 1; j < decoded.length; j++) expect(iou(decoded[i], decoded[j])).toBeLessThan(0.7);
      }
    },
  );
});
