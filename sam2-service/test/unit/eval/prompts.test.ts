/** Prompt simulation, RLE decoding, slice selection and the PNG encoder on hand-made cases. */
import { inflateSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BONE_WINDOW, SOFT_TISSUE_WINDOW, contextFor } from '../../../scripts/eval/contexts';
import { boundingBox, interiorPoint, jitteredBox } from '../../../scripts/eval/prompts';
import { seededRandom } from '../../../scripts/lib/seededRandom';
import { encodePng } from '../../../scripts/eval/report/png';
import { slicePlane } from '../../../scripts/eval/oneClick';
import { decodeRle, encodeRle } from '../../../scripts/eval/rle';
import { chooseMask } from '../../../scripts/eval/run';
import { selectSlices } from '../../../scripts/eval/slices';

function rect(columns: number, rows: number, i0: number, j0: number, w: number, h: number): Uint8Array {
  const m = new Uint8Array(columns * rows);
  for (let j = j0; j < j0 + h; j++) for (let i = i0; i < i0 + w; i++) m[j * columns + i] = 1;
  return m;
}

describe('prompts', () => {
  it('bounding box in pixel-edge coordinates', () => {
    expect(boundingBox(rect(10, 8, 2, 3, 4, 2), 10, 8)).toEqual([2, 3, 6, 5]);
    expect(boundingBox(new Uint8Array(4), 2, 2)).toBeUndefined();
  });

  it('jitter moves each side by at most min(J, 10 % of the side), reproducibly per seed', () => {
    const box: [number, number, number, number] = [100, 100, 200, 150];
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const b = jitteredBox(box, 512, 512, seededRandom(seed), 5);
      expect(Math.abs(b[0] - 100)).toBeLessThanOrEqual(5);
      expect(Math.abs(b[1] - 100)).toBeLessThanOrEqual(5);
      expect(Math.abs(b[2] - 200)).toBeLessThanOrEqual(5);
      expect(Math.abs(b[3] - 150)).toBeLessThanOrEqual(5);
      expect(b).toEqual(jitteredBox(box, 512, 512, seededRandom(seed), 5));
      seen.add(b.join());
    }
    expect(seen.size).toBeGreaterThan(50);
    // A 5-pixel box: J = round(0.5) = 1 at most; and no jitter with J = 0.
    expect(jitteredBox([10, 10, 15, 15], 64, 64, seededRandom(3), 0)).toEqual([10, 10, 15, 15]);
  });

  it('the point is the centre of the largest inscribed circle, clicked at the pixel centre', () => {
    // A 7 × 5 rectangle at (2, 1): the farthest-from-outside pixels form the middle row (row 3); at
    // equal distance the first in row order, column 4 — (x, y) = (4.5, 3.5) counts from pixel centres.
    const p = interiorPoint(rect(12, 8, 2, 1, 7, 5), 12, 8, { column: 1, row: 1 });
    expect(p).toEqual({ x: 4.5, y: 3.5, label: 1 });
    // An L shape: the thick part wins.
    const l = rect(20, 20, 0, 0, 3, 20);
    l.set(rect(20, 20, 0, 10, 12, 9).map((v, i) => v | l[i]));
    const q = interiorPoint(l, 20, 20, { column: 1, row: 1 }) as { x: number; y: number };
    expect(q.y).toBeGreaterThan(10);
    expect(q.y).toBeLessThan(19);
  });
});

describe('masks from the service', () => {
  it('decodes column-major RLE starting with zeros', () => {
    // 3 rows × 2 columns; column-major order: (0,0) (1,0) (2,0) (0,1) (1,1) (2,1) = 0 1 1 0 0 1.
    const m = decodeRle({ size: [3, 2], counts: [1, 2, 2, 1] });
    expect(Array.from(m)).toEqual([0, 0, 1, 0, 1, 1]);
    expect(() => decodeRle({ size: [2, 2], counts: [3, 3] })).toThrow(/exceed/);
  });

  it('chooses like the viewer: first mask in prompt mode, the one covering the centre in automatic mode', () => {
    const a = { rle: { size: [4, 4] as [number, number], counts: [0, 1, 15] }, score: 0.9, area: 1 };
    const b = { rle: { size: [4, 4] as [number, number], counts: [10, 1, 5] }, score: 0.8, area: 1 }; // pixel (x 2, y 2)
    expect(chooseMask([a, b], 'prompt', 2, 2)).toBe(a);
    expect(chooseMask([a, b], 'automatic', 2, 2)).toBe(b);
    expect(chooseMask([a, b], 'automatic', 3, 3)).toBe(a);
    expect(chooseMask([], 'automatic', 2, 2)).toBeUndefined();
  });
});

describe('slices, contexts, PNG', () => {
  it('selects every, the centre, or N spread evenly', () => {
    const labelled = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    expect(selectSlices(labelled, { kind: 'every' })).toEqual(labelled);
    expect(selectSlices(labelled, { kind: 'centre' })).toEqual([14]);
    expect(selectSlices(labelled, { kind: 'count', count: 2 })).toEqual([12, 17]);
    expect(selectSlices(labelled, { kind: 'count', count: 20 })).toEqual(labelled);
  });

  it('context windows are the viewer extension’s (extension/src/contexts.ts)', () => {
    const source = readFileSync(path.resolve(__dirname, '../../../../extension/src/contexts.ts'), 'utf8');
    const preset = (name: string) => {
      const m = new RegExp(`${name}: WindowPreset = \\{ center: (-?\\d+), width: (\\d+) \\}`).exec(source);
      return m && { center: Number(m[1]), width: Number(m[2]) };
    };
    expect(preset('BONE_WINDOW')).toEqual(BONE_WINDOW);
    expect(preset('SOFT_TISSUE_WINDOW')).toEqual(SOFT_TISSUE_WINDOW);
    expect(source).toMatch(/id: 'l3-vertebra'[\s\S]*?window: BONE_WINDOW/);
    expect(source).toMatch(/id: 'skeletal-muscle'[\s\S]*?window: SOFT_TISSUE_WINDOW/);
    expect(contextFor('vertebrae_L3', undefined)).toMatchObject({
      id: 'l3-vertebra',
      window: BONE_WINDOW,
      oneClick: true,
    });
    expect(contextFor('iliopsoas_left', undefined)).toMatchObject({ id: 'skeletal-muscle', oneClick: true });
    expect(contextFor('liver', { center: 40, width: 300 })).toMatchObject({
      id: 'structure',
      oneClick: false,
      window: { center: 40, width: 300 },
    });
  });

  it('writes a valid PNG: signature, chunk CRCs (IEND = AE426082), pixels back after inflate', () => {
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = encodePng(rgb, 2, 2);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(png.length - 12).toString('hex')).toBe('0000000049454e44ae426082');
    const ihdrLength = png.readUInt32BE(8);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([2, 2, 8, 2]);
    const idat = 8 + 12 + ihdrLength;
    expect(png.toString('latin1', idat + 4, idat + 8)).toBe('IDAT');
    const raw = inflateSync(png.subarray(idat + 8, idat + 8 + png.readUInt32BE(idat)));
    expect(Array.from(raw)).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]);
  });
});

describe('context One-Click inputs', () => {
  it('the union mask is encoded in the service RLE layout (column-major runs, zeros first)', () => {
    // 3 columns × 2 rows, pixels (column 1, row 0) and (column 2, row 1): column-major 0 0 | 1 0 | 0 1.
    const mask = Uint8Array.from([0, 1, 0, 0, 0, 1]);
    expect(encodeRle(mask, 3, 2)).toEqual({ size: [2, 3], counts: [2, 1, 2, 1] });
    expect(decodeRle(encodeRle(mask, 3, 2))).toEqual(mask);
    expect(encodeRle(new Uint8Array(6), 3, 2).counts).toEqual([6]);
  });

  it('the slice plane comes from the voxel → LPS matrix: row and column directions and spacings', () => {
    // Columns 0.8 mm towards the patient's right (−x), rows 0.7 mm anterior (−y), slices 2 mm up.
    const ijkToLps = [
      [-0.8, 0, 0, 10],
      [0, -0.7, 0, 20],
      [0, 0, 2, 30],
      [0, 0, 0, 1],
    ];
    const plane = slicePlane({ ijkToLps, columns: 4, rows: 3 });
    expect(plane).toMatchObject({ columns: 4, rows: 3 });
    expect(plane.columnSpacing).toBeCloseTo(0.8, 12);
    expect(plane.rowSpacing).toBeCloseTo(0.7, 12);
    expect(Array.from(plane.rowCosines)).toEqual([-1, 0, 0]);
    expect(Array.from(plane.columnCosines)).toEqual([0, -1, 0]);
  });
});
