/**
 * Which returned mask to write. Prompt mode answers with the best candidate first. Automatic mode
 * proposes several structures ranked by quality; the user looks at the centre of the viewport, so the
 * best-ranked mask covering the pixel shown at the viewport centre wins, and the top-ranked mask
 * otherwise.
 */
import type { MaskResult, SegmentResponse } from '../api/types';
import { rleContains } from './rle';

export interface MaskChoice {
  mask: MaskResult;
  /** Why this one: for the success message. */
  reason: 'prompt' | 'centre' | 'top';
}

export function chooseMask(
  response: Pick<SegmentResponse, 'masks' | 'mode'>,
  viewportCentre?: { x: number; y: number },
): MaskChoice | undefined {
  const masks = response.masks.filter((m) => m.area > 0);
  if (!masks.length) return undefined;
  if (response.mode === 'prompt') return { mask: masks[0], reason: 'prompt' };
  if (viewportCentre) {
    const covering = masks.find((m) => rleContains(m.rle, viewportCentre.x, viewportCentre.y));
    if (covering) return { mask: covering, reason: 'centre' };
  }
  return { mask: masks[0], reason: 'top' };
}
