/**
 * The VOI window the user sees, in modality units (HU for CT), as the service takes it: Window Center and
 * Width with a DICOM VOI LUT Function (PS3.3 C.11.2.1.2), chosen so that the service's formula draws the
 * same ramp Cornerstone3D draws on screen.
 *
 * Cornerstone's voiRange {lower, upper} is in the units of the pixel data it renders: modality units when
 * the loader pre-scaled the pixels (the normal case), stored values otherwise. Cornerstone renders
 * LINEAR and LINEAR_EXACT as a straight ramp from lower to upper, and SIGMOID with the center/width
 * that windowLevel.toWindowLevel(lower, upper) gives (width = upper − lower + 1, center = (lower + upper
 * + 1) / 2).
 */
import type { VoiLutFunction } from '../api/types';
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

/** The window the user sees, with the VOI LUT function it is drawn with. */
export interface ViewedWindow extends WindowPreset {
  voiLutFunction: VoiLutFunction;
}

/** Cornerstone's VOILUTFunction property ('LINEAR', 'LINEAR_EXACT', 'SIGMOID'); anything else is LINEAR. */
export function voiLutFunctionOf(value: unknown): VoiLutFunction {
  return value === 'LINEAR_EXACT' || value === 'SIGMOID' ? value : 'LINEAR';
}

/**
 * Center/width (modality units) that make the service's VOI LUT reproduce the screen:
 * - LINEAR: the ramp of C.11.2.1.2.1 spans w − 1, so w = upper − lower + 1, c = (lower + upper + 1) / 2.
 * - LINEAR_EXACT: the ramp of C.11.2.1.3.2 spans w, so w = upper − lower, c = (lower + upper) / 2.
 * - SIGMOID: Cornerstone's own c/w in rendered units, mapped to modality units (c × slope + intercept,
 *   w × |slope|).
 * With unscaled pixels, lower/upper are first mapped through the rescale.
 */
export function windowFromVoiRange(
  voiRange: VoiRange | undefined,
  scaling: ScalingInfo,
  voiLutFunction: VoiLutFunction = 'LINEAR',
): ViewedWindow | undefined {
  if (!voiRange || !Number.isFinite(voiRange.lower) || !Number.isFinite(voiRange.upper)) return undefined;
  const slope = scaling.scaled ? 1 : scaling.slope;
  const intercept = scaling.scaled ? 0 : scaling.intercept;
  const toModality = (v: number) => v * slope + intercept;
  let center: number;
  let width: number;
  if (voiLutFunction === 'SIGMOID') {
    center = toModality((voiRange.lower + voiRange.upper + 1) / 2);
    width = (Math.abs(voiRange.upper - voiRange.lower) + 1) * Math.abs(slope);
  } else {
    const a = toModality(voiRange.lower);
    const b = toModality(voiRange.upper);
    const lower = Math.min(a, b);
    const upper = Math.max(a, b);
    const exact = voiLutFunction === 'LINEAR_EXACT';
    center = exact ? (lower + upper) / 2 : (lower + upper + 1) / 2;
    width = exact ? upper - lower : upper - lower + 1;
    // The service requires width > 0; a collapsed window still means "threshold at center".
    if (!(width > 0)) width = 1;
  }
  return { center, width, voiLutFunction };
}

/**
 * Whether the viewer shows low modality values bright. Cornerstone's `invert` property is the screen
 * state (a StackViewport starts MONOCHROME1 images with invert true, Cornerstone3D 5.6
 * StackViewport._updateActorToDisplayImageId; a VolumeViewport starts every volume at false), so it is
 * sent as is, flipped only when unscaled pixels have a negative rescale slope (the screen ramp then runs
 * against modality values). Undefined when the viewport does not say: the service then follows the
 * header (MONOCHROME1 inverted).
 */
export function displayedInvert(invert: unknown, scaling: ScalingInfo): boolean | undefined {
  if (typeof invert !== 'boolean') return undefined;
  return !scaling.scaled && scaling.slope < 0 ? !invert : invert;
}
