/**
 * Restricts a binary mask to the voxels whose HU lies in a tissue's range: a SAM2 result for a tissue
 * context then holds only that tissue (e.g. muscle without the fat between its fibres).
 */
import type { HuRange } from './huRange';

/**
 * A copy of `mask` (0/1, row-major, length width×height) with every voxel outside `range` cleared.
 * `hu` holds the slice's modality values (HU) in the same order.
 * @throws RangeError when the lengths differ.
 */
export function restrictMaskToHuRange(mask: Uint8Array, hu: ArrayLike<number>, range: HuRange): Uint8Array {
  if (mask.length !== hu.length)
    throw new RangeError(`Mask has ${mask.length} voxels, the slice ${hu.length}`);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] && hu[i] >= range.min && hu[i] <= range.max) out[i] = 1;
  }
  return out;
}
