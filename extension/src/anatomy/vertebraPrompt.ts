/**
 * The L3 vertebra One-Click prompt: the vertebra found on the shown slice by the shared rule
 * (packages/ct-anatomy: vertebraBoxPrompt, which also maps the plane onto the rule's convention) as a
 * box in prompt coordinates with its world corners, or the reason there is none (then nothing is
 * written).
 */
import { vertebraBoxPrompt } from '@ohif-sam2/ct-anatomy';
import type { PromptBox } from '../api/types';
import type { Point3 } from '../host/types';
import type { ImagePlane } from '../imaging/imagePlane';
import { promptToWorld } from '../imaging/imagePlane';

export type VertebraPrompt = { box: PromptBox; world: [Point3, Point3] } | { refused: string };

export const NOT_AXIAL_MESSAGE =
  'One-Click for the vertebra needs an axial slice. Drag a box around the vertebra instead.';
export const NO_VERTEBRA_MESSAGE =
  'No vertebra found on this slice (no compact bone near the midline behind the abdomen). Nothing was written. Drag a box around the vertebra, or show a slice through it.';

/**
 * Box prompt around the vertebra of an axial slice. `hu` holds the slice's HU, row-major in the
 * plane's rows × columns. Slices shown flipped or mirrored are handled; any other orientation is
 * refused.
 */
export function vertebraPrompt(hu: ArrayLike<number>, plane: ImagePlane): VertebraPrompt {
  const found = vertebraBoxPrompt(hu, plane);
  if ('refused' in found)
    return { refused: found.refused === 'not-axial' ? NOT_AXIAL_MESSAGE : NO_VERTEBRA_MESSAGE };
  const { box } = found;
  return {
    box,
    world: [promptToWorld(plane, { x: box[0], y: box[1] }), promptToWorld(plane, { x: box[2], y: box[3] })],
  };
}
