/**
 * The Skeletal muscle (L3) One-Click prompts: the muscle groups found on the shown slice by the shared
 * rule (packages/ct-anatomy: muscleGroupPrompts, which also maps the plane onto the rule's
 * convention), each as a box plus one positive point in prompt coordinates with world positions, or
 * the reason there are none (then nothing is written).
 */
import type { HuRange, MuscleGroupKind, Tissue } from '@ohif-sam2/ct-anatomy';
import { DEFAULT_HU_RANGES, muscleGroupPrompts } from '@ohif-sam2/ct-anatomy';
import type { PromptBox } from '../api/types';
import type { Point3 } from '../host/types';
import type { ImagePlane } from '../imaging/imagePlane';
import { promptToWorld } from '../imaging/imagePlane';

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

/**
 * Prompts for the muscle groups of an axial slice. `hu` holds the slice's HU, row-major in the plane's
 * rows × columns; `ranges` the site's skeletal muscle and subcutaneous fat ranges (config huRanges), so
 * the rule looks for the same tissue the result is then cut to. Slices shown flipped or mirrored are
 * handled; other orientations refused.
 */
export function musclePrompts(
  hu: ArrayLike<number>,
  plane: ImagePlane,
  ranges: Pick<Readonly<Record<Tissue, HuRange>>, 'skeletal-muscle' | 'sat'> = DEFAULT_HU_RANGES,
): MusclePrompts {
  const found = muscleGroupPrompts(hu, plane, ranges);
  if ('refused' in found)
    return { refused: found.refused === 'not-axial' ? NOT_AXIAL_MUSCLE_MESSAGE : NO_MUSCLE_MESSAGE };
  return {
    groups: found.groups.map((g) => ({
      ...g,
      world: [
        promptToWorld(plane, { x: g.box[0], y: g.box[1] }),
        promptToWorld(plane, { x: g.box[2], y: g.box[3] }),
      ],
      point: { ...g.point, world: promptToWorld(plane, g.point) },
    })),
  };
}
