/**
 * The vertebra rule of the L3 vertebra One-Click: real CT slices with the reference L3 mask, a slice
 * without bone, and a slice shown flipped or not axial.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findVertebra } from '@ohif-sam2/ct-anatomy';
import { NO_VERTEBRA_MESSAGE, NOT_AXIAL_MESSAGE, vertebraPrompt } from '../src/anatomy/vertebraPrompt';
import type { ImagePlane } from '../src/imaging/imagePlane';
import { readDicom } from '../../e2e/helpers/dicomDerive';
import { imageSlice, readNifti } from './nifti';

const refDir = path.join(
  process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data'),
  'seg_reference',
  'totalsegmentator',
);
const hasData = existsSync(path.join(refDir, 'example_ct.nii.gz'));
if (!hasData) console.warn(`Reference CT not found under ${refDir}: real-CT vertebra tests skipped.`);
const describeWithData = hasData ? describe : describe.skip;

function plane(
  rows: number,
  columns: number,
  columnCosines: [number, number, number],
  spacing = 3,
): ImagePlane {
  return {
    imagePositionPatient: [0, 0, 0],
    rowCosines: [1, 0, 0],
    columnCosines,
    rowSpacing: spacing,
    columnSpacing: spacing,
    rows,
    columns,
  };
}

describeWithData('vertebra rule on the reference CT (L3 = label 29)', () => {
  const ct = () => readNifti(path.join(refDir, 'example_ct.nii.gz'));
  const seg = () => readNifti(path.join(refDir, 'example_seg_fast_force_split.nii.gz'));

  it('finds a box on every slice through L3; on ≥ 85 % of them it holds ≥ 95 % of the reference vertebra', () => {
    const c = ct();
    const s = seg();
    const [nx, ny, nz] = c.dims;
    let slices = 0;
    let full = 0;
    for (let k = 0; k < nz; k++) {
      const labels = imageSlice(s.data, nx, ny, k);
      const ref: number[] = [];
      labels.forEach((v, i) => v === 29 && ref.push(i));
      if (!ref.length) continue;
      slices++;
      const found = findVertebra({
        hu: imageSlice(c.data, nx, ny, k),
        width: nx,
        height: ny,
        rowMm: 3,
        columnMm: 3,
      });
      expect(found).toBeDefined();
      const [x0, y0, x1, y1] = found!.box;
      const inside = ref.filter((i) => {
        const x = i % nx;
        const y = (i - x) / nx;
        return x >= x0 && x <= x1 && y >= y0 && y <= y1;
      }).length;
      if (inside / ref.length >= 0.95) full++;
      // Mean HU in the box's component is bone, not the fat the old automatic mode picked.
      const hu = imageSlice(c.data, nx, ny, k);
      const boxHu: number[] = [];
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) boxHu.push(hu[y * nx + x]);
      expect(Math.max(...boxHu)).toBeGreaterThan(300);
    }
    expect(slices).toBeGreaterThan(5);
    expect(full / slices).toBeGreaterThanOrEqual(0.85);
  });

  it('finds the vertebra in a slice shown upside down (rows posterior → anterior), box mapped back', () => {
    const c = ct();
    const s = seg();
    const [nx, ny] = c.dims;
    const k = 72; // an L3 slice
    const hu = imageSlice(c.data, nx, ny, k);
    const upright = vertebraPrompt(hu, plane(ny, nx, [0, 1, 0]));
    const flippedHu = new Float64Array(hu.length);
    for (let r = 0; r < ny; r++)
      for (let x = 0; x < nx; x++) flippedHu[(ny - 1 - r) * nx + x] = hu[r * nx + x];
    const flipped = vertebraPrompt(flippedHu, plane(ny, nx, [0, -1, 0]));
    expect('box' in upright && 'box' in flipped).toBe(true);
    if (!('box' in upright) || !('box' in flipped)) return;
    // Prompt boxes span pixel edges: rows [y0, y1+1) become [ny − (y1+1), ny − y0).
    expect(flipped.box).toEqual([upright.box[0], ny - upright.box[3], upright.box[2], ny - upright.box[1]]);
    expect(imageSlice(s.data, nx, ny, k).some((v) => v === 29)).toBe(true);
  });
});

describe('vertebra rule: nothing to find', () => {
  it('a body of soft tissue and fat only gives no box', () => {
    const w = 100;
    const h = 80;
    const hu = new Float32Array(w * h).fill(-1000);
    for (let y = 10; y < 70; y++) for (let x = 10; x < 90; x++) hu[y * w + x] = x < 20 || x > 80 ? -100 : 40;
    expect(findVertebra({ hu, width: w, height: h, rowMm: 3, columnMm: 3 })).toBeUndefined();
    expect(vertebraPrompt(hu, plane(h, w, [0, 1, 0]))).toEqual({ refused: NO_VERTEBRA_MESSAGE });
  });

  it('bone off the midline (an iliac wing) is not taken for a vertebra', () => {
    const w = 100;
    const h = 80;
    const hu = new Float32Array(w * h).fill(-1000);
    for (let y = 10; y < 70; y++) for (let x = 10; x < 90; x++) hu[y * w + x] = 40;
    for (let y = 40; y < 60; y++) for (let x = 15; x < 30; x++) hu[y * w + x] = 500;
    expect(findVertebra({ hu, width: w, height: h, rowMm: 3, columnMm: 3 })).toBeUndefined();
    // The same bone on the midline, posterior: found.
    for (let y = 40; y < 60; y++) for (let x = 42; x < 58; x++) hu[y * w + x] = 500;
    expect(findVertebra({ hu, width: w, height: h, rowMm: 3, columnMm: 3 })?.box).toEqual([41, 39, 58, 60]);
  });

  it('a sagittal or coronal slice is refused', () => {
    expect(vertebraPrompt(new Float32Array(4), plane(2, 2, [0, 0, -1]))).toEqual({
      refused: NOT_AXIAL_MESSAGE,
    });
  });
});

const dicomFile = path.join(
  process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data'),
  'ct_dicom',
  'totalseg_example_ct_dicom',
  'uncompressed_with_uids',
  'CT_0276.dcm',
);
const describeWithDicom = existsSync(dicomFile) ? describe : describe.skip;

describeWithDicom('vertebra rule on a contrast-enhanced slice (example DICOM, instance 276)', () => {
  it('leaves out the aorta in front of the vertebral body', () => {
    const image = readDicom(dicomFile);
    const hu = Float64Array.from(image.pixels, (v) => v * image.slope + image.intercept);
    const found = findVertebra({ hu, width: 512, height: 512, rowMm: 0.9765625, columnMm: 0.9765625 });
    expect(found).toBeDefined();
    // Reference T12 box on this slice (shared/data README): (224, 310, 269, 380); the aorta is
    // (248, 285, 278, 312). The box may start a few pixels above the vertebra (3 mm margin), not at the aorta.
    const [x0, y0, x1, y1] = found!.box;
    expect(y0).toBeGreaterThanOrEqual(300);
    expect(x0).toBeLessThanOrEqual(224);
    expect(x1).toBeGreaterThanOrEqual(269);
    expect(y1).toBeGreaterThanOrEqual(380);
  });
});
