/**
 * The rules (vertebra.ts, muscles.ts) on a slice in its own geometry, as prompts in that slice's
 * coordinates. The rules expect rows anterior → posterior and columns patient right → left (the
 * standard axial display); a slice stored or shown otherwise is mirrored into that convention, the
 * rule run, and its boxes and points mirrored back. The viewer (the shown slice's plane) and the
 * evaluation (the volume's voxel axes) both go through here, so they aim the same.
 *
 * Prompt coordinates (docs/api.md "Prompts"): (0, 0) is the top-left corner of the top-left pixel, so
 * a box spans its pixels' outer edges and a pixel's centre is (column + 0.5, row + 0.5).
 */
import type { HuRange, Tissue } from './huRange';
import { DEFAULT_HU_RANGES } from './huRange';
import type { MuscleGroupKind } from './muscles';
import { DEFAULT_MUSCLE_RULE, findMuscleGroups } from './muscles';
import type { SliceImage } from './vertebra';
import { findVertebra } from './vertebra';

/** The part of a DICOM image plane (PS3.3 C.7.6.2) the rules need. */
export interface SlicePlane {
  rows: number;
  columns: number;
  /** PixelSpacing[0]: mm between adjacent rows. */
  rowSpacing: number;
  /** PixelSpacing[1]: mm between adjacent columns. */
  columnSpacing: number;
  /** Unit vector of increasing column index, patient LPS (ImageOrientationPatient[0..2]). */
  rowCosines: ArrayLike<number>;
  /** Unit vector of increasing row index, patient LPS (ImageOrientationPatient[3..5]). */
  columnCosines: ArrayLike<number>;
}

/** [x0, y0, x1, y1] in prompt coordinates (pixel edges). */
export type PromptBox = [number, number, number, number];

/** Why a rule gave no prompt: the slice is not axial, or the structure was not found on it. */
export type RuleRefusal = 'not-axial' | 'not-found';

/** How a slice maps onto the rules' convention. */
interface RuleView {
  slice: SliceImage;
  flipRows: boolean;
  flipColumns: boolean;
}

/** |cosine| of the row direction with the patient's anteroposterior axis needed to call a slice axial. */
const AXIAL_MIN_COSINE = 0.9;
/** LPS axes: x towards the patient's left, y posterior. */
const LEFT_X = 0;
const POSTERIOR_Y = 1;

/**
 * The slice in the rules' convention, or undefined when it is not axial (its rows do not run along
 * the anteroposterior axis). `hu` holds the slice's HU, row-major rows × columns.
 */
function ruleView(hu: ArrayLike<number>, plane: SlicePlane): RuleView | undefined {
  const alongColumn = plane.columnCosines[POSTERIOR_Y];
  if (Math.abs(alongColumn) < AXIAL_MIN_COSINE) return undefined;
  const flipRows = alongColumn < 0;
  // Rows towards the patient's right (a mirrored display): mirror the columns too.
  const flipColumns = plane.rowCosines[LEFT_X] < 0;
  return {
    slice: {
      hu: flipRows || flipColumns ? mirrored(hu, plane.rows, plane.columns, flipRows, flipColumns) : hu,
      width: plane.columns,
      height: plane.rows,
      rowMm: plane.rowSpacing,
      columnMm: plane.columnSpacing,
    },
    flipRows,
    flipColumns,
  };
}

/** The slice with its rows and/or columns in reverse order. */
export function mirrored(
  hu: ArrayLike<number>,
  rows: number,
  columns: number,
  flipRows: boolean,
  flipColumns: boolean,
): Float32Array {
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const rr = flipRows ? rows - 1 - r : r;
    for (let c = 0; c < columns; c++)
      out[rr * columns + (flipColumns ? columns - 1 - c : c)] = hu[r * columns + c];
  }
  return out;
}

/** A box of inclusive pixel indices in the rules' convention → prompt coordinates of the slice. */
function boxToPrompt(view: RuleView, box: readonly [number, number, number, number]): PromptBox {
  const { width, height } = view.slice;
  const [x0, x1] = view.flipColumns ? [width - 1 - box[2], width - 1 - box[0]] : [box[0], box[2]];
  const [y0, y1] = view.flipRows ? [height - 1 - box[3], height - 1 - box[1]] : [box[1], box[3]];
  return [x0, y0, x1 + 1, y1 + 1];
}

/** A pixel (column, row) in the rules' convention → its centre in prompt coordinates of the slice. */
function pointToPrompt(view: RuleView, [x, y]: readonly [number, number]): { x: number; y: number } {
  const { width, height } = view.slice;
  return {
    x: (view.flipColumns ? width - 1 - x : x) + 0.5,
    y: (view.flipRows ? height - 1 - y : y) + 0.5,
  };
}

/** The L3 vertebra One-Click prompt: a box around the vertebra found on the slice (vertebra.ts). */
export function vertebraBoxPrompt(
  hu: ArrayLike<number>,
  plane: SlicePlane,
): { box: PromptBox } | { refused: RuleRefusal } {
  const view = ruleView(hu, plane);
  if (!view) return { refused: 'not-axial' };
  const found = findVertebra(view.slice);
  return found ? { box: boxToPrompt(view, found.box) } : { refused: 'not-found' };
}

export interface MuscleGroupPrompt {
  kind: MuscleGroupKind;
  /** e.g. 'psoas-right' (the patient's side). */
  name: string;
  box: PromptBox;
  /** A positive point: the centre of a pixel of the found region. */
  point: { x: number; y: number };
}

/**
 * The Skeletal muscle (L3) One-Click prompts: one box + point per muscle group found on the slice
 * (muscles.ts). `ranges` are the skeletal muscle and subcutaneous fat ranges the result is cut to
 * (the site's configured ranges in the viewer), so the rule looks for the same tissue.
 */
export function muscleGroupPrompts(
  hu: ArrayLike<number>,
  plane: SlicePlane,
  ranges: Pick<Readonly<Record<Tissue, HuRange>>, 'skeletal-muscle' | 'sat'> = DEFAULT_HU_RANGES,
): { groups: MuscleGroupPrompt[] } | { refused: RuleRefusal } {
  const view = ruleView(hu, plane);
  if (!view) return { refused: 'not-axial' };
  const found = findMuscleGroups(view.slice, {
    ...DEFAULT_MUSCLE_RULE,
    muscleMinHu: ranges['skeletal-muscle'].min,
    muscleMaxHu: ranges['skeletal-muscle'].max,
    fatMinHu: ranges.sat.min,
    fatMaxHu: ranges.sat.max,
  });
  if (!found.length) return { refused: 'not-found' };
  return {
    groups: found.map((g) => ({
      kind: g.kind,
      name: g.name,
      box: boxToPrompt(view, g.box),
      point: pointToPrompt(view, g.point),
    })),
  };
}
