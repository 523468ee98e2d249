/**
 * Figures for the muscle prompt rule (packages/ct-anatomy muscles.ts) on the real CT in shared/data, per muscle
 * group, for every axial slice with a reference mask of that group:
 * - psoas L/R vs TotalSegmentator iliopsoas_left/right (88/89), paraspinal L/R vs autochthon_left/right
 *   (86/87), on example_ct (3 mm, abdomen/pelvis) and on the contrast 1 mm DICOM series (86/87 only);
 * - abdominal wall vs the skeletal_muscle tissue mask (example_ct[:, :, 82:112], T11–L2) without labels
 *   86–89 and in front of the reference vertebra's centre row (back muscles excluded);
 * - all muscle: the union of every box vs the whole skeletal_muscle tissue mask.
 * A box "contains" the reference when ≥ 95 % of its pixels lie inside the group's boxes (union); IoU is
 * between the bounding box of the group's boxes and the reference's bounding box.
 */
import type { MuscleGroupFound, MuscleGroupKind } from '@ohif-sam2/ct-anatomy';
import { findMuscleGroups } from '@ohif-sam2/ct-anatomy';

export type Box = [number, number, number, number];

export interface GroupSlice {
  k: number;
  levels: string[];
  group: string;
  /** Reference pixels on the slice. */
  reference: number;
  found: boolean;
  /** Fraction of the reference pixels inside the group's boxes (0 when not found). */
  covered: number;
  iou: number;
  /** Fraction of the boxes' area that is reference (how tight the boxes are). */
  precision: number;
}

export interface GroupSummary {
  slices: number;
  found: number;
  contains95: number;
  containsAll: number;
  meanCovered: number;
  meanIou: number;
  medianIou: number;
  meanPrecision: number;
  /** Slices through a vertebra without this muscle in the reference, and those the rule still boxed. */
  slicesWithout: number;
  falseAlarms: number;
}

/** A reference structure on one slice, by group: flat pixel indices. */
export type SliceReferences = Record<string, number[]>;

/** Groups whose reference label map covers the whole slice, so an empty reference means absent. */
const ABSENCE_KNOWN = ['psoas-right', 'psoas-left', 'paraspinal-right', 'paraspinal-left'];

/** Which found groups answer for each reference group. */
const GROUP_OF: Record<string, (g: MuscleGroupFound) => boolean> = {
  'psoas-right': (g) => g.name === 'psoas-right',
  'psoas-left': (g) => g.name === 'psoas-left',
  'paraspinal-right': (g) => g.name === 'paraspinal-right',
  'paraspinal-left': (g) => g.name === 'paraspinal-left',
  'abdominal-wall': (g) => g.kind === 'abdominal-wall',
  'all-muscle': () => true,
};

export function boxOf(indices: number[], width: number): Box {
  let b: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const i of indices) {
    const x = i % width;
    const y = (i - x) / width;
    b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  return b;
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  const inter = Math.max(0, w) * Math.max(0, h);
  const area = (c: Box) => (c[2] - c[0] + 1) * (c[3] - c[1] + 1);
  return inter / (area(a) + area(b) - inter);
}

/** One slice: the rule's groups against each reference group present. */
export function evaluateMuscleSlice(
  k: number,
  levels: string[],
  slice: { hu: ArrayLike<number>; width: number; height: number; rowMm: number; columnMm: number },
  references: SliceReferences,
): GroupSlice[] {
  const groups = findMuscleGroups(slice);
  const { width, height } = slice;
  const out: GroupSlice[] = [];
  for (const [group, ref] of Object.entries(references)) {
    // An empty reference counts only where absence is known (psoas/paraspinal on a slice through a
    // vertebra): a box there is a false alarm.
    if (!ref.length && !(ABSENCE_KNOWN.includes(group) && levels.length)) continue;
    const boxes = groups.filter(GROUP_OF[group]).map((g) => g.box);
    const inBoxes = new Uint8Array(width * height);
    for (const [x0, y0, x1, y1] of boxes)
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) inBoxes[y * width + x] = 1;
    const covered = ref.filter((i) => inBoxes[i]).length;
    const boxArea = inBoxes.reduce((s, v) => s + v, 0);
    const union = boxes.length
      ? boxOf(
          boxes.flatMap(([x0, y0, x1, y1]) => [y0 * width + x0, y1 * width + x1]),
          width,
        )
      : undefined;
    out.push({
      k,
      levels,
      group,
      reference: ref.length,
      found: boxes.length > 0,
      covered: ref.length ? covered / ref.length : 0,
      iou: union && ref.length ? iou(union, boxOf(ref, width)) : 0,
      precision: boxArea ? covered / boxArea : 0,
    });
  }
  return out;
}

export function summariseGroups(rows: GroupSlice[]): Record<string, GroupSummary> {
  const out: Record<string, GroupSummary> = {};
  for (const group of Object.keys(GROUP_OF)) {
    const all = rows.filter((r) => r.group === group);
    const mine = all.filter((r) => r.reference > 0);
    const absent = all.filter((r) => r.reference === 0);
    if (!all.length) continue;
    const found = mine.filter((r) => r.found);
    const ious = found.map((r) => r.iou).sort((a, b) => a - b);
    const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0);
    out[group] = {
      slices: mine.length,
      found: found.length,
      contains95: mine.filter((r) => r.found && r.covered >= 0.95).length,
      containsAll: mine.filter((r) => r.found && r.covered === 1).length,
      meanCovered: mean(mine.map((r) => r.covered)),
      meanIou: mean(ious),
      medianIou: ious.length ? ious[Math.floor(ious.length / 2)] : 0,
      meanPrecision: mean(found.map((r) => r.precision)),
      slicesWithout: absent.length,
      falseAlarms: absent.filter((r) => r.found).length,
    };
  }
  return out;
}

export const MUSCLE_KINDS: readonly MuscleGroupKind[] = ['psoas', 'paraspinal', 'abdominal-wall'];
