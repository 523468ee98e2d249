import { invalidField } from '../http/apiError';

export const pixelTypes = ['int16', 'uint16', 'float32', 'uint8'] as const;
export type PixelType = (typeof pixelTypes)[number];
export type PixelArray = Int16Array | Uint16Array | Float32Array | Uint8Array;

export const bytesPerPixel: Record<PixelType, number> = { int16: 2, uint16: 2, float32: 4, uint8: 1 };

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
  // A typed array needs an offset aligned to its element size. Large decodes get their own buffer at
  // offset 0 (viewed in place: a 4096² float32 slice is 64 MiB); small ones may sit in Buffer's shared
  // pool at any offset, and are copied.
  let pixels: PixelArray;
  if (bytes.byteOffset % bytesPerPixel[type] === 0) {
    pixels = makeView(bytes.buffer, bytes.byteOffset, width * height, type);
  } else {
    const aligned = new ArrayBuffer(bytes.length);
    new Uint8Array(aligned).set(bytes);
    pixels = makeView(aligned, 0, width * height, type);
  }
  if (pixels instanceof Float32Array) {
    for (let i = 0; i < pixels.length; i++) {
      if (!Number.isFinite(pixels[i])) {
        throw invalidField('image_data', `pixel ${i} is not a finite number (NaN or Infinity)`, { index: i });
      }
    }
  }
  return pixels;
}

function makeView(buffer: ArrayBufferLike, offset: number, length: number, type: PixelType): PixelArray {
  switch (type) {
    case 'int16':
      return new Int16Array(buffer, offset, length);
    case 'uint16':
      return new Uint16Array(buffer, offset, length);
    case 'float32':
      return new Float32Array(buffer, offset, length);
    case 'uint8':
      return new Uint8Array(buffer, offset, length);
  }
}

/** Rejects base64 that is not base64 before decoding, since Buffer.from silently skips bad characters. */
export function isBase64(value: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
}
