/**
 * The VOI window the user sees, in modality units (HU for CT), which is what the service expects.
 * Cornerstone's voiRange is in the units of the pixel data it renders: modality units when the loader
 * pre-scaled the pixels (the normal case), stored values otherwise.
 */
import type { WindowPreset } from '../contexts';

export interface VoiRange {
  lower: number;
  upper: number;
}

export interface ScalingInfo {
  /** image.preScale.scaled: pixels already hold modality values. */
  scaled: boolean;
  slope: number;
  intercept: number;
}

export function windowFromVoiRange(
  voiRange: VoiRange | undefined,
  scaling: ScalingInfo,
): WindowPreset | undefined {
  if (!voiRange || !Number.isFinite(voiRange.lower) || !Number.isFinite(voiRange.upper)) return undefined;
  let center = (voiRange.lower + voiRange.upper) / 2;
  let width = voiRange.upper - voiRange.lower;
  if (!scaling.scaled) {
    center = center * scaling.slope + scaling.intercept;
    width = width * Math.abs(scaling.slope);
  }
  // The service requires width > 0; a collapsed window still means "threshold at center".
  if (!(width > 0)) width = 1;
  return { center, width };
}
