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

/** Set pixels of an RLE: the sum of its odd-indexed (ones) runs. */
export function rleArea(rle: Rle): number {
  let area = 0;
  for (let i = 1; i < rle.counts.length; i += 2) area += rle.counts[i];
  return area;
}

/** [start, end) of each run of ones, in pixel order. */
function onesRuns(rle: Rle): number[] {
  const runs: number[] = [];
  let position = 0;
  rle.counts.forEach((count, i) => {
    if (i % 2 === 1 && count > 0) runs.push(position, position + count);
    position += count;
  });
  return runs;
}

/**
 * Intersection over union of two RLEs of the same size, from their runs (no pixel mask built);
 * 0 when both are empty. Throws when the sizes differ.
 */
export function rleIou(a: Rle, b: Rle): number {
  if (a.size[0] !== b.size[0] || a.size[1] !== b.size[1]) {
    throw new Error(`RLE sizes differ: ${a.size.join('×')} vs ${b.size.join('×')}`);
  }
  const ra = onesRuns(a);
  const rb = onesRuns(b);
  let intersection = 0;
  let i = 0;
  let j = 0;
  while (i < ra.length && j < rb.length) {
    const start = Math.max(ra[i], rb[j]);
    const end = Math.min(ra[i + 1], rb[j + 1]);
    if (end > start) intersection += end - start;
    if (ra[i + 1] < rb[j + 1]) i += 2;
    else j += 2;
  }
  const union = rleArea(a) + rleArea(b) - intersection;
  return union === 0 ? 0 : intersection / union;
}
