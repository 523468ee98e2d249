/**
 * Measures the context-aware One-Click prompt rules on the real CT (shared/data: TotalSegmentator
 * example_ct, 3 mm, with its reference label map; and the contrast-enhanced 1 mm example DICOM series
 * with example_seg_dicom): for every axial slice holding a vertebra reference mask,
 * whether the rule found a box, whether the box contains the reference structure, and the IoU of the
 * box with the reference's bounding box. Prints a table and writes artifacts/prompt-rules.json.
 *
 *   npm run measure:prompt-rules          (SHARED_DATA_DIR to point elsewhere)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDicom } from '../../e2e/helpers/dicomDerive';
import { findVertebra } from '../src/anatomy/vertebra';
import { readNifti } from '../test/nifti';

type Box = [number, number, number, number];

const repoRoot = path.resolve(__dirname, '..', '..');
const sharedDataDir = process.env.SHARED_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');
const refDir = path.join(sharedDataDir, 'seg_reference', 'totalsegmentator');

/** TotalSegmentator v2 `total` labels (shared/data README B): vertebrae S1 … T11. */
const VERTEBRAE: Record<number, string> = {
  26: 'S1',
  27: 'L5',
  28: 'L4',
  29: 'L3',
  30: 'L2',
  31: 'L1',
  32: 'T12',
  33: 'T11',
};

/** Axial slice k as an image indexed [row][col] = seg[nx−1−col, ny−1−row, k] (README "Mapping masks"). */
function imageSlice(data: Float64Array, nx: number, ny: number, k: number): Float64Array {
  const out = new Float64Array(nx * ny);
  for (let row = 0; row < ny; row++)
    for (let col = 0; col < nx; col++)
      out[row * nx + col] = data[k * nx * ny + (ny - 1 - row) * nx + (nx - 1 - col)];
  return out;
}

function boxOf(indices: number[], width: number): Box {
  let b: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const i of indices) {
    const x = i % width;
    const y = (i - x) / width;
    b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  return b;
}

/** IoU of two inclusive pixel boxes. */
function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  const inter = Math.max(0, w) * Math.max(0, h);
  const area = (c: Box) => (c[2] - c[0] + 1) * (c[3] - c[1] + 1);
  return inter / (area(a) + area(b) - inter);
}

function inside(box: Box, i: number, width: number): boolean {
  const x = i % width;
  const y = (i - x) / width;
  return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}

interface SliceResult {
  k: number;
  levels: string[];
  found: boolean;
  /** Fraction of reference voxels inside the box (0 when not found). */
  covered: number;
  iou: number;
}

/** One slice: where the rule's box falls relative to the reference voxels. */
function evaluate(
  hu: ArrayLike<number>,
  ref: number[],
  width: number,
  height: number,
  mm: [number, number],
): Omit<SliceResult, 'k' | 'levels'> {
  const found = findVertebra({ hu, width, height, rowMm: mm[0], columnMm: mm[1] });
  return {
    found: !!found,
    covered: found ? ref.filter((i) => inside(found.box, i, width)).length / ref.length : 0,
    iou: found ? iou(found.box, boxOf(ref, width)) : 0,
  };
}

/** The example DICOM series (A1) with example_seg_dicom: seg[i, j, k] is column i, row 511 − j of instance 286 − k. */
function dicomSeriesResults(): SliceResult[] {
  const seg = readNifti(path.join(refDir, 'example_seg_dicom.nii.gz'));
  const [nx, ny, nz] = seg.dims;
  const dir = path.join(sharedDataDir, 'ct_dicom', 'totalseg_example_ct_dicom', 'uncompressed_with_uids');
  const out: SliceResult[] = [];
  for (let k = 0; k < nz; k++) {
    const image = readDicom(path.join(dir, `CT_0${286 - k}.dcm`));
    const spacing = (image.dataSet.string('x00280030') ?? '').split('\\').map(Number) as [number, number];
    const hu = Float64Array.from(image.pixels, (v) => v * image.slope + image.intercept);
    const ref: number[] = [];
    const levels = new Set<string>();
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = seg.data[k * nx * ny + j * nx + i];
        if (!VERTEBRAE[v]) continue;
        ref.push((ny - 1 - j) * nx + i);
        levels.add(VERTEBRAE[v]);
      }
    if (ref.length) out.push({ k, levels: [...levels], ...evaluate(hu, ref, nx, ny, spacing) });
  }
  return out;
}

function main(): void {
  const ct = readNifti(path.join(refDir, 'example_ct.nii.gz'));
  const seg = readNifti(path.join(refDir, 'example_seg_fast_force_split.nii.gz'));
  const [nx, ny, nz] = ct.dims;
  const [sx, sy] = ct.spacing;
  const results: SliceResult[] = [];
  const dicomSlices = dicomSeriesResults();
  for (let k = 0; k < nz; k++) {
    const labels = imageSlice(seg.data, nx, ny, k);
    const ref: number[] = [];
    const levels = new Set<string>();
    labels.forEach((v, i) => {
      if (VERTEBRAE[v]) {
        ref.push(i);
        levels.add(VERTEBRAE[v]);
      }
    });
    if (!ref.length) continue;
    const hu = imageSlice(ct.data, nx, ny, k);
    results.push({ k, levels: [...levels], ...evaluate(hu, ref, nx, ny, [sy, sx]) });
  }
  const summarise = (rows: SliceResult[]) => {
    const found = rows.filter((r) => r.found);
    const ious = found.map((r) => r.iou).sort((a, b) => a - b);
    return {
      slices: rows.length,
      found: found.length,
      containsAll: rows.filter((r) => r.found && r.covered === 1).length,
      contains95: rows.filter((r) => r.found && r.covered >= 0.95).length,
      meanIou: ious.length ? ious.reduce((s, v) => s + v, 0) / ious.length : 0,
      medianIou: ious.length ? ious[Math.floor(ious.length / 2)] : 0,
      minIou: ious.length ? ious[0] : 0,
    };
  };
  const summary = {
    data: 'all/L3/lumbar: TotalSegmentator example_ct.nii.gz (3 mm) vs example_seg_fast_force_split.nii.gz; contrast1mm: example DICOM series (T11–T12, contrast) vs example_seg_dicom.nii.gz',
    vertebra: {
      all: summarise(results),
      L3: summarise(results.filter((r) => r.levels.includes('L3'))),
      lumbar: summarise(results.filter((r) => r.levels.some((l) => l.startsWith('L')))),
      contrast1mm: summarise(dicomSlices),
    },
    slices: results,
    contrast1mmSlices: dicomSlices,
  };
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)} %` : '–');
  console.log('Vertebra rule (box prompt) vs reference vertebra masks');
  console.log('set     slices  found  box contains all  contains ≥95 %  IoU mean  median  min');
  for (const [name, s] of Object.entries(summary.vertebra)) {
    console.log(
      `${name.padEnd(7)} ${String(s.slices).padStart(6)}  ${pct(s.found, s.slices).padStart(5)}  ${pct(s.containsAll, s.slices).padStart(16)}  ${pct(s.contains95, s.slices).padStart(14)}  ${s.meanIou.toFixed(2).padStart(8)}  ${s.medianIou.toFixed(2).padStart(6)}  ${s.minIou.toFixed(2).padStart(4)}`,
    );
  }
  const out = path.join(repoRoot, 'artifacts', 'prompt-rules.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(summary, null, 2));
  console.log(`JSON: ${path.relative(repoRoot, out)}`);
}

main();
