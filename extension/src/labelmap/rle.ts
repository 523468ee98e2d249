/**
 * The service's masks are uncompressed COCO RLE: column-major run lengths starting with zeros
 * (docs/api.md "Mask format"). Cornerstone labelmap slices are row-major (index = x + y * width),
 * so decoding transposes while it expands the runs.
 */
import type { Rle } from '../api/types';

export class RleError extends Error {}

/** Decodes to a row-major mask of `height × width` bytes, 1 = in the mask. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RleError(`Invalid RLE size ${JSON.stringify(rle.size)}`);
  }
  const total = height * width;
  const mask = new Uint8Array(total);
  let position = 0; // column-major index
  for (let i = 0; i < rle.counts.length; i++) {
    const run = rle.counts[i];
    if (!Number.isInteger(run) || run < 0 || position + run > total) {
      throw new RleError(`Invalid RLE run ${run} at ${position} of ${total}`);
    }
    if (i % 2 === 1 && run > 0) {
      let x = Math.floor(position / height);
      let y = position - x * height;
      for (let k = 0; k < run; k++) {
        mask[y * width + x] = 1;
        if (++y === height) {
          y = 0;
          x++;
        }
      }
    }
    position += run;
  }
  if (position !== total) throw new RleError(`RLE covers ${position} pixels, expected ${total}`);
  return mask;
}

/** Number of mask pixels. */
export function maskArea(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** Whether the column-major RLE has a mask pixel at (x, y) without decoding it. */
export function rleContains(rle: Rle, x: number, y: number): boolean {
  const [height, width] = rle.size;
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi >= width || yi >= height) return false;
  const target = xi * height + yi;
  let position = 0;
  for (let i = 0; i < rle.counts.length; i++) {
    position += rle.counts[i];
    if (target < position) return i % 2 === 1;
  }
  return false;
}
