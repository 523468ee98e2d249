/**
 * Step 4, choose: the mask to write from the service's answer (the prompt's best, or in automatic mode
 * the best-ranked one under the viewport centre), checked against the slice size and decoded to a
 * row-major mask; a tissue context then keeps only the voxels in its HU range.
 */
import type { SegmentResponse } from '../api/types';
import type { Sam2Context } from '../contexts';
import { modalityValues } from '../imaging/hu';
import type { SliceInfo } from '../imaging/slice';
import { chooseMask } from '../labelmap/maskChoice';
import { decodeRle, maskArea } from '../labelmap/rle';
import type { HuRange } from '../tissue/huRange';
import { restrictMaskToHuRange } from '@ohif-sam2/ct-anatomy';
import { showInfo } from '../ui/notifications';
import type { RunEnv, StepResult } from './types';
import { next, stop } from './types';

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

/**
 * The chosen mask restricted to `huRange` (a tissue context: e.g. muscle without the fat between its
 * fibres); unchanged when `huRange` is undefined. Ends the run with a message, writing nothing, when no
 * voxel of the mask lies in the range.
 */
export function restrictToTissue(
  env: RunEnv,
  chosen: ChosenMask,
  slice: Pick<SliceInfo, 'image' | 'scaling'>,
  context: Pick<Sam2Context, 'label'>,
  huRange: HuRange | undefined,
): StepResult<ChosenMask> {
  if (!huRange) return next(chosen);
  const mask = restrictMaskToHuRange(chosen.mask, modalityValues(slice.image, slice.scaling), huRange);
  if (maskArea(mask) === 0) {
    showInfo(
      env.services,
      'SAM2 found nothing',
      `No voxel of the result lies in the ${context.label} range (${huRange.min} to ${huRange.max} HU). Nothing was written.`,
    );
    return stop({ status: 'empty', error: 'no voxel in the HU range' });
  }
  return next({ ...chosen, mask });
}
