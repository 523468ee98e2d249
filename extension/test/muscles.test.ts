/**
 * The muscle rule of the Skeletal muscle (L3) One-Click on the real CT: boxes against the reference
 * TotalSegmentator muscles (iliopsoas 88/89, autochthon 86/87) read here from the NIfTI, no psoas where
 * the reference has none, a slice without bone, and slices shown flipped or not axial.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findMuscleGroups } from '@ohif-sam2/ct-anatomy';
import { musclePrompts, NO_MUSCLE_MESSAGE, NOT_AXIAL_MUSCLE_MESSAGE } from '../src/anatomy/musclePrompt';
import type { ImagePlane } from '../src/imaging/imagePlane';
import { readDicom } from '../../e2e/helpers/dicomDerive';
import { imageSlice, readNifti } from './nifti';

const dataDir = process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
const refDir = path.join(dataDir, 'seg_reference', 'totalsegmentator');
const hasData = existsSync(path.join(refDir, 'example_ct.nii.gz'));
if (!hasData) console.warn(`Reference CT not found under ${refDir}: real-CT muscle rule tests skipped.`);
const describeWithData = hasData ? describe : describe.skip;

function plane(
  rows: number,
  columns: number,
  columnCosines: [number, number, number],
  rowCosines: [number, number, number] = [1, 0, 0],
): ImagePlane {
  return {
    imagePositionPatient: [0, 0, 0],
    rowCosines,
    columnCosines,
    rowSpacing: 3,
    columnSpacing: 3,
    rows,
    columns,
  };
}

/** Fraction of `ref` (flat indices) inside the inclusive box. */
function fractionInside(ref: number[], box: readonly number[], width: number): number {
  return (
    ref.filter((i) => {
      const x = i % width;
      const y = (i - x) / width;
      return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
    }).length / ref.length
  );
}

describeWithData('muscle rule on the reference CT at L3 (label 29)', () => {
  const ct = readNifti(path.join(refDir, 'example_ct.nii.gz'));
  const seg = readNifti(path.join(refDir, 'example_seg_fast_force_split.nii.gz'));
  const [nx, ny, nz] = ct.dims;
  const l3Slices = [...Array(nz).keys()].filter((k) => imageSlice(seg.data, nx, ny, k).includes(29));
  const reference: Record<string, number> = {
    'psoas-right': 89,
    'psoas-left': 88,
    'paraspinal-right': 87,
    'paraspinal-left': 86,
  };

  it('paraspinal boxes hold ≥ 95 % of the reference autochthon on ≥ 90 % of the L3 slices', () => {
    expect(l3Slices.length).toBeGreaterThan(10);
    let held = 0;
    let total = 0;
    for (const k of l3Slices) {
      const labels = imageSlice(seg.data, nx, ny, k);
      const groups = findMuscleGroups({
        hu: imageSlice(ct.data, nx, ny, k),
        width: nx,
        height: ny,
        rowMm: 3,
        columnMm: 3,
      });
      for (const name of ['paraspinal-right', 'paraspinal-left']) {
        const ref: number[] = [];
        labels.forEach((v, i) => v === reference[name] && ref.push(i));
        const group = groups.find((g) => g.name === name);
        total++;
        if (group && fractionInside(ref, group.box, nx) >= 0.95) held++;
      }
    }
    expect(held / total).toBeGreaterThanOrEqual(0.9);
  });

  it('a psoas box, when given, holds ≥ 95 % of that side’s reference iliopsoas, and ≥ half of the L3 sides get one', () => {
    let found = 0;
    for (const k of l3Slices) {
      const labels = imageSlice(seg.data, nx, ny, k);
      const groups = findMuscleGroups({
        hu: imageSlice(ct.data, nx, ny, k),
        width: nx,
        height: ny,
        rowMm: 3,
        columnMm: 3,
      });
      for (const name of ['psoas-right', 'psoas-left']) {
        const group = groups.find((g) => g.name === name);
        if (!group) continue;
        found++;
        const ref: number[] = [];
        labels.forEach((v, i) => v === reference[name] && ref.push(i));
        expect({ k, name, inside: fractionInside(ref, group.box, nx) >= 0.95 }).toEqual({
          k,
          name,
          inside: true,
        });
      }
    }
    expect(found).toBeGreaterThanOrEqual(l3Slices.length);
  });

  it('every group’s point lies inside its box, and the boxes of a slice shown upside down map back', () => {
    const k = 72;
    const hu = imageSlice(ct.data, nx, ny, k);
    const upright = musclePrompts(hu, plane(ny, nx, [0, 1, 0]));
    const flippedHu = new Float64Array(hu.length);
    for (let r = 0; r < ny; r++)
      for (let x = 0; x < nx; x++) flippedHu[(ny - 1 - r) * nx + x] = hu[r * nx + x];
    const flipped = musclePrompts(flippedHu, plane(ny, nx, [0, -1, 0]));
    if (!('groups' in upright) || !('groups' in flipped)) throw new Error('no muscle groups found');
    expect(upright.groups.map((g) => g.kind)).toEqual(
      expect.arrayContaining(['psoas', 'paraspinal', 'abdominal-wall']),
    );
    for (const g of upright.groups) {
      expect(g.point.x).toBeGreaterThan(g.box[0]);
      expect(g.point.x).toBeLessThan(g.box[2]);
      expect(g.point.y).toBeGreaterThan(g.box[1]);
      expect(g.point.y).toBeLessThan(g.box[3]);
    }
    // The site's configured ranges are the tissue the rule looks for: a muscle range no voxel has finds nothing.
    const none = musclePrompts(hu, plane(ny, nx, [0, 1, 0]), {
      'skeletal-muscle': { min: 2000, max: 2100 },
      sat: { min: -190, max: -30 },
    });
    expect(none).toEqual({ refused: NO_MUSCLE_MESSAGE });
    // Prompt boxes span pixel edges: rows [y0, y1) become [ny − y1, ny − y0).
    expect(flipped.groups.map((g) => [g.name, g.box])).toEqual(
      upright.groups.map((g) => [g.name, [g.box[0], ny - g.box[3], g.box[2], ny - g.box[1]]]),
    );
  });

  it('a slice mirrored left–right (rows towards the patient’s right) gives the mirrored boxes, named by the patient’s side', () => {
    const hu = imageSlice(ct.data, nx, ny, 72);
    const upright = musclePrompts(hu, plane(ny, nx, [0, 1, 0]));
    const mirroredHu = new Float64Array(hu.length);
    for (let r = 0; r < ny; r++)
      for (let x = 0; x < nx; x++) mirroredHu[r * nx + (nx - 1 - x)] = hu[r * nx + x];
    const mirrored = musclePrompts(mirroredHu, plane(ny, nx, [0, 1, 0], [-1, 0, 0]));
    if (!('groups' in upright) || !('groups' in mirrored)) throw new Error('no muscle groups found');
    const named = (groups: { name: string; box: number[] }[]) =>
      groups.map((g) => [g.name, g.box] as const).sort((a, b) => a[0].localeCompare(b[0]));
    // Columns [x0, x1) become [nx − x1, nx − x0); the psoas on the patient's right stays psoas-right.
    expect(named(mirrored.groups)).toEqual(
      named(
        upright.groups.map((g) => ({
          name: g.name,
          box: [nx - g.box[2], g.box[1], nx - g.box[0], g.box[3]],
        })),
      ),
    );
    expect(mirrored.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['psoas-right', 'paraspinal-left']),
    );
  });
});

const dicomDir = path.join(dataDir, 'ct_dicom', 'totalseg_example_ct_dicom', 'uncompressed_with_uids');
const describeWithDicom = existsSync(path.join(dicomDir, 'CT_0276.dcm')) ? describe : describe.skip;

describeWithDicom('muscle rule on the contrast-enhanced T11–T12 slices (example DICOM)', () => {
  it('boxes no psoas where the reference has none (the liver and spleen lie beside the spine)', () => {
    const seg = readNifti(path.join(refDir, 'example_seg_dicom.nii.gz'));
    expect(seg.data.some((v) => v === 88 || v === 89)).toBe(false);
    for (let instance = 267; instance <= 286; instance++) {
      const image = readDicom(path.join(dicomDir, `CT_0${instance}.dcm`));
      const hu = Float64Array.from(image.pixels, (v) => v * image.slope + image.intercept);
      const groups = findMuscleGroups({ hu, width: 512, height: 512, rowMm: 0.9765625, columnMm: 0.9765625 });
      expect(groups.filter((g) => g.kind === 'psoas')).toEqual([]);
      expect(groups.filter((g) => g.kind === 'paraspinal')).toHaveLength(2);
    }
  });
});

describe('muscle rule: nothing to find', () => {
  it('a body of soft tissue and fat without bone gives no prompts', () => {
    const w = 100;
    const h = 80;
    const hu = new Float32Array(w * h).fill(-1000);
    for (let y = 10; y < 70; y++) for (let x = 10; x < 90; x++) hu[y * w + x] = x < 20 || x > 80 ? -100 : 40;
    expect(findMuscleGroups({ hu, width: w, height: h, rowMm: 3, columnMm: 3 })).toEqual([]);
    expect(musclePrompts(hu, plane(h, w, [0, 1, 0]))).toEqual({ refused: NO_MUSCLE_MESSAGE });
  });

  it('a sagittal or coronal slice is refused', () => {
    expect(musclePrompts(new Float32Array(4), plane(2, 2, [0, 0, -1]))).toEqual({
      refused: NOT_AXIAL_MUSCLE_MESSAGE,
    });
  });
});
