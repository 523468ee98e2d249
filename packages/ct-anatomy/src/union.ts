/**
 * The Skeletal muscle (L3) One-Click's result: the union of the muscle groups' masks, each clipped to
 * its own prompt box (a group's mask outside its box is not that muscle).
 */
import type { PromptBox } from './axialSlice';

/**
 * ORs the part of `mask` (0/1, row-major, `width` columns) inside `box` (prompt coordinates: pixel
 * edges) into `union`, in place. Returns how many mask pixels lay inside the box.
 */
export function addClippedToBox(
  union: Uint8Array,
  mask: ArrayLike<number>,
  box: Readonly<PromptBox>,
  width: number,
): number {
  const height = mask.length / width;
  let added = 0;
  for (let y = Math.max(0, Math.floor(box[1])); y < Math.min(height, Math.ceil(box[3])); y++)
    for (let x = Math.max(0, Math.floor(box[0])); x < Math.min(width, Math.ceil(box[2])); x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      added++;
      union[i] = 1;
    }
  return added;
}
