import { invalidField } from '../http/apiError';

export const pixelTypes = ['int16', 'uint16', 'float32', 'uint8'] as const;
export type PixelType = (typeof pixelTypes)[number];
export type PixelArray = Int16Array | Uint16Array | Float32Array | Uint8Array;

const bytesPerPixel: Record<PixelType, number> = { int16: 2, uint16: 2, float32: 4, uint8: 1 };

/**
 * Decodes base64 little-endian pixel bytes (row-major) into a typed array of `width × height` values.
 * Throws a 400 naming `image_data` when the length does not match or a float is not finite.
 */
export function decodePixels(base64: string, type: PixelType, width: number, height: number): PixelArray {
  const bytes = Buffer.from(base64, 'base64');
  const expected = width * height * bytesPerPixel[type];
  if (bytes.length !== expected) {
    throw invalidField(
      'image_data',
      `expected ${expected} bytes for ${width}×${height} ${type} pixels, got ${bytes.length}`,
      { expected_bytes: expected, actual_bytes: bytes.length },
    );
  }
  // Copy into an aligned buffer: Buffer.from may return a slice of a shared pool at any offset.
  const aligned = new ArrayBuffer(bytes.length);
  new Uint8Array(aligned).set(bytes);
  const pixels = makeView(aligned, type);
  if (pixels instanceof Float32Array) {
    for (let i = 0; i < pixels.length; i++) {
      if (!Number.isFinite(pixels[i])) {
        throw invalidField('image_data', `pixel ${i} is not a finite number (NaN or Infinity)`, { index: i });
      }
    }
  }
  return pixels;
}

function makeView(buffer: ArrayBuffer, type: PixelType): PixelArray {
  switch (type) {
    case 'int16':
      return new Int16Array(buffer);
    case 'uint16':
      return new Uint16Array(buffer);
    case 'float32':
      return new Float32Array(buffer);
    case 'uint8':
      return new Uint8Array(buffer);
  }
}

/** Rejects base64 that is not base64 before decoding, since Buffer.from silently skips bad characters. */
export function isBase64(value: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
}
