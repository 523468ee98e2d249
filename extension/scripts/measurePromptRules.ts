/**
 * Measures the context-aware One-Click prompt rules on the real CT (shared/data: TotalSegmentator
 * example_ct, 3 mm, with its reference label map; and the contrast-enhanced 1 mm example DICOM series
 * with example_seg_dicom): for every axial slice holding a vertebra reference mask,
 * whether the rule found a box, whether the box contains the reference structure, and the IoU of the
 * box with the reference's bounding box; and the same per muscle group for the muscle rule on every
 * slice with a muscle reference mask (scripts/muscleRuleFigures.ts). Prints tables and writes
 * artifacts/prompt-rules.json.
 *
 *   npm run measure:prompt-rules          (SHARED_DATA_DIR to point elsewhere)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readDicom } from '../../e2e/helpers/dicomDerive';
import { findVertebra } from '@ohif-sam2/ct-anatomy';
import { readNifti } from '../test/nifti';
import type { GroupSlice, SliceReferences } from './muscleRuleFigures';
import { boxOf, evaluateMuscleSlice, summariseGroups } from './muscleRuleFigures';

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
function dicomSeriesResults(muscles: GroupSlice[]): SliceResult[] {
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
    const muscleRefs: SliceReferences = {
      'psoas-right': [],
      'psoas-left': [],
      'paraspinal-right': [],
      'paraspinal-left': [],
    };
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = seg.data[k * nx * ny + j * nx + i];
        if (v === 86) muscleRefs['paraspinal-left'].push((ny - 1 - j) * nx + i);
        if (v === 87) muscleRefs['paraspinal-right'].push((ny - 1 - j) * nx + i);
        if (!VERTEBRAE[v]) continue;
        ref.push((ny - 1 - j) * nx + i);
        levels.add(VERTEBRAE[v]);
      }
    if (ref.length) out.push({ k, levels: [...levels], ...evaluate(hu, ref, nx, ny, spacing) });
    const slice = { hu, width: nx, height: ny, rowMm: spacing[0], columnMm: spacing[1] };
    muscles.push(...evaluateMuscleSlice(k, [...levels], slice, muscleRefs));
  }
  return out;
}

/** Tissue masks cover example_ct[:, :, 82:112] (shared/data README B). */
const TISSUE_FIRST_K = 82;

/**
 * The muscle references of slice k (image order): psoas = iliopsoas 89 right / 88 left, paraspinal =
 * autochthon 87 right / 86 left; where the tissue mask covers the slice, the whole skeletal muscle and
 * the abdominal wall (skeletal muscle without 86–89, in front of the reference vertebra's centre row).
 */
function muscleReferences(
  labels: Float64Array,
  vertebra: number[],
  tissue: { dims: [number, number, number]; data: Float64Array },
  k: number,
  nx: number,
  ny: number,
): SliceReferences {
  const refs: SliceReferences = {
    'psoas-right': [],
    'psoas-left': [],
    'paraspinal-right': [],
    'paraspinal-left': [],
  };
  const names: Record<number, string> = {
    89: 'psoas-right',
    88: 'psoas-left',
    87: 'paraspinal-right',
    86: 'paraspinal-left',
  };
  labels.forEach((v, i) => names[v] && refs[names[v]].push(i));
  const tk = k - TISSUE_FIRST_K;
  if (tk < 0 || tk >= tissue.dims[2]) return refs;
  const muscle = imageSlice(tissue.data, nx, ny, tk);
  refs['all-muscle'] = [];
  refs['abdominal-wall'] = [];
  const centreRow = vertebra.length
    ? vertebra.reduce((s, i) => s + Math.floor(i / nx), 0) / vertebra.length
    : ny;
  muscle.forEach((v, i) => {
    if (!v) return;
    refs['all-muscle'].push(i);
    if (!names[labels[i]] && Math.floor(i / nx) < centreRow) refs['abdominal-wall'].push(i);
  });
  return refs;
}

function main(): void {
  const ct = readNifti(path.join(refDir, 'example_ct.nii.gz'));
  const seg = readNifti(path.join(refDir, 'example_seg_fast_force_split.nii.gz'));
  const [nx, ny, nz] = ct.dims;
  const [sx, sy] = ct.spacing;
  const tissue = readNifti(path.join(refDir, 'example_seg_tissue_types', 'skeletal_muscle.nii.gz'));
  const results: SliceResult[] = [];
  const muscles: GroupSlice[] = [];
  const dicomMuscles: GroupSlice[] = [];
  const dicomSlices = dicomSeriesResults(dicomMuscles);
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
    const hu = imageSlice(ct.data, nx, ny, k);
    if (ref.length) results.push({ k, levels: [...levels], ...evaluate(hu, ref, nx, ny, [sy, sx]) });
    const slice = { hu, width: nx, height: ny, rowMm: sy, columnMm: sx };
    muscles.push(
      ...evaluateMuscleSlice(k, [...levels], slice, muscleReferences(labels, ref, tissue, k, nx, ny)),
    );
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
  const muscleSets = {
    all: summariseGroups(muscles),
    L3: summariseGroups(muscles.filter((r) => r.levels.includes('L3'))),
    lumbar: summariseGroups(muscles.filter((r) => r.levels.some((l) => l.startsWith('L')))),
    contrast1mm: summariseGroups(dicomMuscles),
  };
  const summary = {
    data: 'all/L3/lumbar: TotalSegmentator example_ct.nii.gz (3 mm) vs example_seg_fast_force_split.nii.gz; contrast1mm: example DICOM series (T11–T12, contrast) vs example_seg_dicom.nii.gz',
    vertebra: {
      all: summarise(results),
      L3: summarise(results.filter((r) => r.levels.includes('L3'))),
      lumbar: summarise(results.filter((r) => r.levels.some((l) => l.startsWith('L')))),
      contrast1mm: summarise(dicomSlices),
    },
    muscle: muscleSets,
    slices: results,
    contrast1mmSlices: dicomSlices,
    muscleSlices: muscles,
    contrast1mmMuscleSlices: dicomMuscles,
  };
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)} %` : '–');
  // A figure over no slices is "–", not 0.00 (which would read as a failure).
  const fig = (v: number, slices: number, width: number) => (slices ? v.toFixed(2) : '–').padStart(width);
  console.log('Vertebra rule (box prompt) vs reference vertebra masks');
  console.log('set          slices  found  box contains all  contains ≥95 %  IoU mean  median   min');
  for (const [name, s] of Object.entries(summary.vertebra)) {
    console.log(
      `${name.padEnd(12)} ${String(s.slices).padStart(6)}  ${pct(s.found, s.slices).padStart(5)}  ${pct(s.containsAll, s.slices).padStart(16)}  ${pct(s.contains95, s.slices).padStart(14)}  ${fig(s.meanIou, s.slices, 8)}  ${fig(s.medianIou, s.slices, 6)}  ${fig(s.minIou, s.slices, 5)}`,
    );
  }
  console.log(
    "\nMuscle rule (boxes per group) vs reference muscle masks; contains = ≥ 95 % of the reference in the group's boxes",
  );
  console.log(
    'set          group              slices  found  contains  covered  IoU mean  median  box precision  false alarms',
  );
  for (const [set, groups] of Object.entries(muscleSets))
    for (const [group, s] of Object.entries(groups))
      console.log(
        `${set.padEnd(12)} ${group.padEnd(17)} ${String(s.slices).padStart(7)}  ${pct(s.found, s.slices).padStart(5)}  ${pct(s.contains95, s.slices).padStart(8)}  ${(s.slices ? `${(100 * s.meanCovered).toFixed(0)} %` : '–').padStart(7)}  ${fig(s.meanIou, s.slices, 8)}  ${fig(s.medianIou, s.slices, 6)}  ${fig(s.meanPrecision, s.slices, 13)}  ${`${s.falseAlarms}/${s.slicesWithout}`.padStart(12)}`,
      );
  const out = path.join(repoRoot, 'artifacts', 'prompt-rules.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(summary, null, 2));
  console.log(`JSON: ${path.relative(repoRoot, out)}`);
}

main();
