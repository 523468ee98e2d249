/**
 * The pixel part of a request, built from a Cornerstone image: the stored pixel values with the
 * rescale that turns them into modality values (docs/api.md "Pixel encoding").
 */
import type { ImageType, PixelPayload } from '../api/types';
import { typedArrayToBase64 } from './base64';
import type { ScalingInfo } from './window';

type PixelArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** The parts of a Cornerstone IImage this code reads. */
export interface ImageLike {
  rows: number;
  columns: number;
  getPixelData(): PixelArray;
  slope?: number;
  intercept?: number;
  color?: boolean;
  numberOfComponents?: number;
  preScale?: { enabled?: boolean; scaled?: boolean };
}

export class UnsupportedImageError extends Error {}

/**
 * Whether the loader already applied the modality LUT (then pixels are HU and the rescale is 1/0),
 * and the slope/intercept to send otherwise.
 */
export function scalingOf(image: ImageLike, fallback?: { slope?: number; intercept?: number }): ScalingInfo {
  if (image.preScale?.scaled) return { scaled: true, slope: 1, intercept: 0 };
  const slope = image.slope ?? fallback?.slope;
  const intercept = image.intercept ?? fallback?.intercept;
  return {
    scaled: false,
    slope: typeof slope === 'number' && Number.isFinite(slope) && slope !== 0 ? slope : 1,
    intercept: typeof intercept === 'number' && Number.isFinite(intercept) ? intercept : 0,
  };
}

/** Typed-array kind by tag, so arrays made in another realm (a worker, a test VM) are recognised. */
function kindOf(data: PixelArray): string {
  return Object.prototype.toString.call(data).slice(8, -1);
}

/** Picks the wire type; 8-bit and 32-bit data are widened because `uint8` means "already windowed". */
function toWire(data: PixelArray): { type: ImageType; array: Int16Array | Uint16Array | Float32Array } {
  switch (kindOf(data)) {
    case 'Int16Array':
      return { type: 'int16', array: data as Int16Array };
    case 'Uint16Array':
      return { type: 'uint16', array: data as Uint16Array };
    case 'Float32Array':
      return { type: 'float32', array: data as Float32Array };
    case 'Uint8Array':
    case 'Uint8ClampedArray':
      return { type: 'uint16', array: Uint16Array.from(data) };
    case 'Int8Array':
      return { type: 'int16', array: Int16Array.from(data) };
    default:
      return { type: 'float32', array: Float32Array.from(data as ArrayLike<number>) };
  }
}

/** Pixels + rescale of one slice; the caller adds window and photometric. */
export function buildPixelPayload(
  image: ImageLike,
  fallbackRescale?: { slope?: number; intercept?: number },
): Omit<PixelPayload, 'window' | 'photometric'> {
  if (image.color || (image.numberOfComponents ?? 1) > 1) {
    throw new UnsupportedImageError('Colour images are not supported by SAM2 segmentation');
  }
  const data = image.getPixelData();
  const width = image.columns;
  const height = image.rows;
  if (!data || data.length !== width * height) {
    throw new UnsupportedImageError(
      `Pixel data has ${data?.length ?? 0} values, expected ${width} × ${height} = ${width * height}`,
    );
  }
  const scaling = scalingOf(image, fallbackRescale);
  const { type, array } = toWire(data);
  // The service rejects non-finite float pixels with a 400; say so before uploading.
  if (type === 'float32') {
    const f = array as Float32Array;
    for (let i = 0; i < f.length; i++) {
      if (!Number.isFinite(f[i]))
        throw new UnsupportedImageError('The image contains non-finite pixel values');
    }
  }
  return {
    image_data: typedArrayToBase64(array),
    image_type: type,
    width,
    height,
    rescale: { slope: scaling.slope, intercept: scaling.intercept },
  };
}

/** DICOM Photometric Interpretation as the service takes it; anything else is sent as MONOCHROME2. */
export function photometricOf(value: unknown): 'MONOCHROME1' | 'MONOCHROME2' {
  return typeof value === 'string' && value.trim().toUpperCase() === 'MONOCHROME1'
    ? 'MONOCHROME1'
    : 'MONOCHROME2';
}
