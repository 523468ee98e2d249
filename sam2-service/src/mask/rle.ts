/** Uncompressed COCO RLE: runs over the column-major pixel order, the first count is zeros. */
export interface Rle {
  size: [number, number];
  counts: number[];
}

/** Encodes a row-major 0/1 mask of height × width. */
export function encodeRle(mask: Uint8Array, height: number, width: number): Rle {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/** Decodes an uncompressed COCO RLE into a row-major 0/1 mask. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const mask = new Uint8Array(height * width);
  let position = 0;
  let value = 0;
  for (const count of rle.counts) {
    if (value === 1) {
      for (let k = position; k < position + count; k++) {
        const x = Math.floor(k / height);
        const y = k - x * height;
        mask[y * width + x] = 1;
      }
    }
    position += count;
    value ^= 1;
  }
  if (position !== height * width) {
    throw new Error(`RLE counts sum to ${position}, expected ${height * width}`);
  }
  return mask;
}
