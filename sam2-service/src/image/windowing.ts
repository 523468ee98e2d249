import type { PixelArray } from './pixels';

export interface Rescale {
  slope: number;
  intercept: number;
}
export const voiLutFunctions = ['LINEAR', 'LINEAR_EXACT', 'SIGMOID'] as const;
/** DICOM VOI LUT Function (0028,1056). */
export type VoiLutFunction = (typeof voiLutFunctions)[number];
export interface Window {
  /** Window Center (0028,1050), modality units (HU for CT). */
  center: number;
  /** Window Width (0028,1051), modality units; ≥ 1 for LINEAR, > 0 otherwise. */
  width: number;
  /** How center/width map values to grey levels; default LINEAR (the DICOM default). */
  voi_lut_function?: VoiLutFunction;
}
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2';

/** Soft-tissue window (HU), used when the client does not say which window the user sees. */
export const defaultWindow: Window = { center: 40, width: 400 };

/** Modality values (HU for CT) below this count as air when the automatic mode looks for the body. */
const bodyThresholdHu = -500;

/** Highest display grey level (ymax of DICOM PS3.3 C.11.2.1.2; ymin is 0). */
const yMax = 255;

export interface DisplayImage {
  /** The slice as the user sees it: 0..255, row-major, width × height. */
  gray: Uint8Array;
  /** 1 where the pixel belongs to the body (not air / outside the field of view). */
  body: Uint8Array;
}

/**
 * Whether the user sees low values bright: the request's explicit `invert`, else what the header implies
 * (MONOCHROME1 is displayed inverted, DICOM PS3.3 C.7.6.3.1.2).
 */
export function displayInvert(invert: boolean | undefined, photometric: Photometric | undefined): boolean {
  return invert ?? photometric === 'MONOCHROME1';
}

/**
 * The VOI LUT of DICOM PS3.3 C.11.2.1.2 as a function from a modality value x to a grey level 0..255:
 * - LINEAR (C.11.2.1.2.1): x ≤ c − 0.5 − (w − 1)/2 → 0; x > c − 0.5 + (w − 1)/2 → 255;
 *   else ((x − (c − 0.5)) / (w − 1) + 0.5) × 255. Requires w ≥ 1 (w = 1 is a threshold at c − 0.5).
 * - LINEAR_EXACT (C.11.2.1.3.2): x ≤ c − w/2 → 0; x > c + w/2 → 255; else ((x − c) / w + 0.5) × 255.
 * - SIGMOID (C.11.2.1.3.1): 255 / (1 + exp(−4 (x − c) / w)).
 * Cornerstone3D renders its voiRange {lower, upper} with exactly these formulas when the client derives
 * c and w from it as Cornerstone does (windowLevel.toWindowLevel / toLowHighRange).
 */
export function voiLut(window: Window): (x: number) => number {
  const { center: c, width: w } = window;
  switch (window.voi_lut_function ?? 'LINEAR') {
    case 'LINEAR': {
      const lower = c - 0.5 - (w - 1) / 2;
      const upper = c - 0.5 + (w - 1) / 2;
      if (w <= 1) return (x) => (x <= lower ? 0 : yMax);
      return (x) => (x <= lower ? 0 : x > upper ? yMax : ((x - (c - 0.5)) / (w - 1) + 0.5) * yMax);
    }
    case 'LINEAR_EXACT': {
      const lower = c - w / 2;
      const upper = c + w / 2;
      return (x) => (x <= lower ? 0 : x > upper ? yMax : ((x - c) / w + 0.5) * yMax);
    }
    case 'SIGMOID':
      return (x) => yMax / (1 + Math.exp((-4 * (x - c)) / w));
  }
}

/**
 * Turns modality pixels into the grey levels the user sees: rescale slope/intercept (modality LUT), the
 * VOI LUT of the window (see voiLut), rounded to 0..255, then inverted (255 − g) when `invert`.
 * `uint8` input is taken as already windowed display grey levels and is used as is (no window, no
 * inversion: the client sent what is on screen).
 */
export function toDisplayImage(
  pixels: PixelArray,
  options: { rescale?: Rescale; window?: Window; invert?: boolean; alreadyWindowed: boolean },
): DisplayImage {
  const n = pixels.length;
  const gray = new Uint8Array(n);
  const body = new Uint8Array(n);
  if (options.alreadyWindowed) {
    gray.set(pixels);
    // Without modality values, "body" is anything brighter than near-black.
    for (let i = 0; i < n; i++) body[i] = gray[i] > 10 ? 1 : 0;
    return { gray, body };
  }
  const slope = options.rescale?.slope ?? 1;
  const intercept = options.rescale?.intercept ?? 0;
  const lut = voiLut(options.window ?? defaultWindow);
  const invert = options.invert ?? false;
  for (let i = 0; i < n; i++) {
    const value = pixels[i] * slope + intercept;
    const g = Math.round(lut(value));
    gray[i] = invert ? yMax - g : g;
    body[i] = value > bodyThresholdHu ? 1 : 0;
  }
  return { gray, body };
}
