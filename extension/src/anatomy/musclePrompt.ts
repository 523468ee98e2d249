/**
 * The Skeletal muscle (L3) One-Click prompts: the muscle groups found on the shown slice
 * (anatomy/muscles.ts), each as a box plus one positive point in prompt coordinates, or the reason
 * there are none (then nothing is written).
 */
import type { PromptBox } from '../api/types';
import type { Point3 } from '../host/types';
import type { ImagePlane } from '../imaging/imagePlane';
import { promptToWorld } from '../imaging/imagePlane';
import type { HuRange, Tissue } from '../tissue/huRange';
import { DEFAULT_HU_RANGES } from '../tissue/huRange';
import { DEFAULT_MUSCLE_RULE, findMuscleGroups } from './muscles';
import type { MuscleGroupKind } from './muscles';
import { flipRows } from './vertebraPrompt';

export interface MusclePromptGroup {
  kind: MuscleGroupKind;
  name: string;
  /** Prompt coordinates: the box spans its pixels' outer edges. */
  box: PromptBox;
  world: [Point3, Point3];
  /** A pixel centre inside the found region, prompt coordinates. */
  point: { x: number; y: number; world: Point3 };
}

export type MusclePrompts = { groups: MusclePromptGroup[] } | { refused: string };

export const NOT_AXIAL_MUSCLE_MESSAGE =
  'One-Click for the muscles needs an axial slice. Click on a muscle or drag a box around it instead.';
export const NO_MUSCLE_MESSAGE =
  'No muscle found on this slice (no vertebra, or no muscle-range tissue beside and behind it, nor under the subcutaneous fat). Nothing was written. Click on a muscle or drag a box around it, or show an axial slice through the lumbar spine.';

/** Patient axes (DICOM LPS): +y is posterior. */
const POSTERIOR_Y = 1;

/**
 * Prompts for the muscle groups of an axial slice. `hu` holds the slice's HU, row-major in the plane's
 * rows × columns; `ranges` the site's skeletal muscle and subcutaneous fat ranges (config huRanges), so
 * the rule looks for the same tissue the result is then cut to. Slices whose rows run posterior → anterior are handled; other orientations refused.
 */
export function musclePrompts(
  hu: ArrayLike<number>,
  plane: ImagePlane,
  ranges: Pick<Readonly<Record<Tissue, HuRange>>, 'skeletal-muscle' | 'sat'> = DEFAULT_HU_RANGES,
): MusclePrompts {
  const { rows, columns } = plane;
  const alongColumn = plane.columnCosines[POSTERIOR_Y];
  if (Math.abs(alongColumn) < 0.9) return { refused: NOT_AXIAL_MUSCLE_MESSAGE };
  const flipped = alongColumn < 0;
  const found = findMuscleGroups(
    {
      hu: flipped ? flipRows(hu, rows, columns) : hu,
      width: columns,
      height: rows,
      rowMm: plane.rowSpacing,
      columnMm: plane.columnSpacing,
    },
    {
      ...DEFAULT_MUSCLE_RULE,
      muscleMinHu: ranges['skeletal-muscle'].min,
      muscleMaxHu: ranges['skeletal-muscle'].max,
      fatMinHu: ranges.sat.min,
      fatMaxHu: ranges.sat.max,
    },
  );
  if (!found.length) return { refused: NO_MUSCLE_MESSAGE };
  const row = (y: number) => (flipped ? rows - 1 - y : y);
  return {
    groups: found.map((g) => {
      const [x0, fy0, x1, fy1] = g.box;
      const [y0, y1] = flipped ? [row(fy1), row(fy0)] : [fy0, fy1];
      const box: PromptBox = [x0, y0, x1 + 1, y1 + 1];
      const point = { x: g.point[0] + 0.5, y: row(g.point[1]) + 0.5 };
      return {
        kind: g.kind,
        name: g.name,
        box,
        world: [
          promptToWorld(plane, { x: box[0], y: box[1] }),
          promptToWorld(plane, { x: box[2], y: box[3] }),
        ],
        point: { ...point, world: promptToWorld(plane, point) },
      };
    }),
  };
}
