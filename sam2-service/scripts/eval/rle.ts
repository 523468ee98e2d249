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
