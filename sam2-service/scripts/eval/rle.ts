/**
 * The service's masks: COCO-style RLE (docs/api.md "Masks"): `size` [height, width], `counts` run
 * lengths over the column-major pixels, starting with a run of zeros.
 */
export interface Rle {
  size: [number, number];
  counts: number[];
}

/** RLE → row-major Uint8Array (1 = inside), `width × height`. Throws on runs that overflow the size. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const out = new Uint8Array(width * height);
  let p = 0;
  rle.counts.forEach((run, index) => {
    if (p + run > out.length) throw new Error('RLE runs exceed the mask size');
    if (index % 2 === 1) {
      for (let q = p; q < p + run; q++) out[(q % height) * width + Math.floor(q / height)] = 1;
    }
    p += run;
  });
  return out;
}

/** Row-major 0/1 mask (`width × height`) → RLE as above (the inverse of decodeRle). */
export function encodeRle(mask: ArrayLike<number>, width: number, height: number): Rle {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  for (let q = 0; q < width * height; q++) {
    const v = mask[(q % height) * width + Math.floor(q / height)] ? 1 : 0;
    if (v !== value) {
      counts.push(run);
      value = v;
      run = 0;
    }
    run++;
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/** Pixels inside a 0/1 mask. */
export function maskArea(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return n;
}
