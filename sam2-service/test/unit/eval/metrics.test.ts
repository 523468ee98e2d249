/** Metrics against hand-computed values on small masks. */
import { distanceToFeature } from '../../../scripts/eval/distance';
import { boundary, hd95, percentile, sliceMetrics } from '../../../scripts/eval/metrics';

/** A columns × rows mask with the listed [column, row] pixels set. */
function mask(columns: number, rows: number, pixels: [number, number][]): Uint8Array {
  const m = new Uint8Array(columns * rows);
  for (const [i, j] of pixels) m[j * columns + i] = 1;
  return m;
}
function rect(columns: number, rows: number, i0: number, j0: number, w: number, h: number): Uint8Array {
  const pixels: [number, number][] = [];
  for (let j = j0; j < j0 + h; j++) for (let i = i0; i < i0 + w; i++) pixels.push([i, j]);
  return mask(columns, rows, pixels);
}
const unit = { column: 1, row: 1 };

describe('overlap and area', () => {
  it('two 4 × 4 squares one column apart: 12 shared pixels of 16 + 16', () => {
    const p = rect(10, 10, 2, 2, 4, 4);
    const r = rect(10, 10, 3, 2, 4, 4);
    const m = sliceMetrics(p, r, 10, 10, { column: 0.5, row: 2 });
    expect(m.dice).toBeCloseTo(24 / 32, 12);
    expect(m.iou).toBeCloseTo(12 / 20, 12);
    // 16 px × 0.5 mm × 2 mm = 16 mm² = 0.16 cm²; equal areas → no area error.
    expect(m.referenceAreaCm2).toBeCloseTo(0.16, 12);
    expect(m.areaErrorCm2).toBeCloseTo(0, 12);
    expect(m.areaErrorPct).toBeCloseTo(0, 12);
  });

  it('a prediction of 6 px against a reference of 4 px: +50 % area', () => {
    const m = sliceMetrics(rect(5, 5, 0, 0, 3, 2), rect(5, 5, 0, 0, 2, 2), 5, 5, unit);
    expect(m.areaErrorCm2).toBeCloseTo(0.02, 12);
    expect(m.areaErrorPct).toBeCloseTo(50, 12);
    expect(m.dice).toBeCloseTo(8 / 10, 12);
  });

  it('empty masks: both empty is a perfect 1 with HD95 0; an empty prediction scores 0 with no HD95', () => {
    const empty = new Uint8Array(16);
    expect(sliceMetrics(empty, empty, 4, 4, unit)).toMatchObject({
      dice: 1,
      iou: 1,
      hd95Mm: 0,
      areaErrorPct: null,
    });
    const r = rect(4, 4, 1, 1, 2, 2);
    expect(sliceMetrics(empty, r, 4, 4, unit)).toMatchObject({
      dice: 0,
      iou: 0,
      hd95Mm: null,
      areaErrorPct: -100,
    });
  });
});

describe('boundary, percentile, distance transform', () => {
  it('the boundary of a 3 × 3 square is its 8 outer pixels; a mask on the image edge is boundary there', () => {
    const b = boundary(rect(5, 5, 1, 1, 3, 3), 5, 5);
    expect(Array.from(b).reduce((a, v) => a + v, 0)).toBe(8);
    expect(b[2 * 5 + 2]).toBe(0);
    expect(Array.from(boundary(rect(3, 3, 0, 0, 3, 3), 3, 3)).reduce((a, v) => a + v, 0)).toBe(8);
  });

  it('percentile interpolates linearly between ranks (numpy default)', () => {
    expect(
      percentile([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], 95),
    ).toBeCloseTo(18.05, 12);
    expect(percentile([4, 1, 3, 2], 50)).toBeCloseTo(2.5, 12);
    expect(percentile([7], 95)).toBe(7);
  });

  it('distance transform equals brute force on random masks with anisotropic spacing', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const columns = 3 + Math.floor(random() * 9);
      const rows = 3 + Math.floor(random() * 9);
      const feature = new Uint8Array(columns * rows).map(() => (random() < 0.15 ? 1 : 0));
      const spacing = { column: 0.3 + random() * 2, row: 0.3 + random() * 2 };
      const got = distanceToFeature(feature, columns, rows, spacing);
      for (let v = 0; v < feature.length; v++) {
        let best = Infinity;
        for (let q = 0; q < feature.length; q++) {
          if (!feature[q]) continue;
          const dx = ((v % columns) - (q % columns)) * spacing.column;
          const dy = (Math.floor(v / columns) - Math.floor(q / columns)) * spacing.row;
          best = Math.min(best, Math.hypot(dx, dy));
        }
        expect(got[v]).toBeCloseTo(best, 9);
      }
    }
  });
});

describe('HD95', () => {
  it('two single pixels 3 columns and 4 rows apart at 0.5 × 2 mm: √(1.5² + 8²) mm', () => {
    const d = hd95(mask(8, 8, [[2, 2]]), mask(8, 8, [[5, 6]]), 8, 8, { column: 0.5, row: 2 });
    expect(d).toBeCloseTo(Math.sqrt(1.5 ** 2 + 8 ** 2), 9);
  });

  it('a 20-pixel line against its first pixel: max(P95 of 0…19 mm, 0) = 18.05 mm', () => {
    const line = mask(
      20,
      3,
      Array.from({ length: 20 }, (_, i) => [i, 1] as [number, number]),
    );
    const first = mask(20, 3, [[0, 1]]);
    expect(hd95(line, first, 20, 3, unit)).toBeCloseTo(18.05, 9);
    expect(hd95(first, line, 20, 3, unit)).toBeCloseTo(18.05, 9); // symmetric
  });

  it('a 6 × 6 square shifted by one column at 0.8 mm per column: 0.8 mm', () => {
    const d = hd95(rect(12, 12, 2, 3, 6, 6), rect(12, 12, 3, 3, 6, 6), 12, 12, { column: 0.8, row: 1.5 });
    expect(d).toBeCloseTo(0.8, 9);
  });
});
