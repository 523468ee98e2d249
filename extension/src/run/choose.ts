/**
 * Step 4, choose: the mask to write from the service's answer (the prompt's best, or in automatic mode
 * the best-ranked one under the viewport centre), checked against the slice size and decoded to a
 * row-major mask.
 */
import type { SegmentResponse } from '../api/types';
import { chooseMask } from '../labelmap/maskChoice';
import { decodeRle } from '../labelmap/rle';

export interface ChosenMask {
  /** Row-major, 1 = in the mask, width × height. */
  mask: Uint8Array;
  score: number;
}

/** Undefined when the answer holds no non-empty mask; throws when the mask does not fit the slice. */
export function chooseResult(
  response: Pick<SegmentResponse, 'masks' | 'mode'>,
  size: { width: number; height: number },
  viewportCentre?: { x: number; y: number },
): ChosenMask | undefined {
  const choice = chooseMask(response, response.mode === 'automatic' ? viewportCentre : undefined);
  if (!choice) return undefined;
  const [rleHeight, rleWidth] = choice.mask.rle.size;
  if (rleHeight !== size.height || rleWidth !== size.width) {
    throw new Error(`Mask is ${rleWidth}×${rleHeight}, the slice ${size.width}×${size.height}`);
  }
  return { mask: decodeRle(choice.mask.rle), score: choice.mask.score };
}
