import type { PixelArray } from './pixels';

export interface Rescale {
  slope: number;
  intercept: number;
}
export interface Window {
  center: number;
  width: number;
}
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2';

/** Soft-tissue window (HU), used when the client does not say which window the user sees. */
export const defaultWindow: Window = { center: 40, width: 400 };

/** Modality values (HU for CT) below this count as air when the automatic mode looks for the body. */
const bodyThresholdHu = -500;

export interface DisplayImage {
  /** The slice as the user sees it: 0..255, row-major, width × height. */
  gray: Uint8Array;
  /** 1 where the pixel belongs to the body (not air / outside the field of view). */
  body: Uint8Array;
}

/**
 * Turns modality pixels into the grey levels the user sees: rescale slope/intercept, the linear window
 * lower = c - w/2 … upper = c + w/2 (what Cornerstone's voiRange shows), then MONOCHROME1 inversion.
 * `uint8` input is taken as already windowed display grey levels and is used as is.
 */
export function toDisplayImage(
  pixels: PixelArray,
  options: { rescale?: Rescale; window?: Window; photometric?: Photometric; alreadyWindowed: boolean },
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
  const { center, width } = options.window ?? defaultWindow;
  const lower = center - width / 2;
  const scale = 255 / width;
  const invert = options.photometric === 'MONOCHROME1';
  for (let i = 0; i < n; i++) {
    const value = pixels[i] * slope + intercept;
    let g = (value - lower) * scale;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    gray[i] = invert ? 255 - Math.round(g) : Math.round(g);
    body[i] = value > bodyThresholdHu ? 1 : 0;
  }
  return { gray, body };
}
