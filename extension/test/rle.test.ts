import { decodeRle, maskArea, rleContains, RleError } from '../src/labelmap/rle';
// The service's own encoder: the extension's decoder is tested against exactly what the service sends.
import { encodeRle } from '../../sam2-service/src/mask/rle';
import { random } from './helpers';

describe('decodeRle (column-major COCO RLE → row-major labelmap order)', () => {
  it('decodes the docs/api.md example: columns 2–5 × rows 3–6 of an 8 × 8 slice', () => {
    const mask = decodeRle({ size: [8, 8], counts: [19, 4, 4, 4, 4, 4, 4, 4, 17] });
    expect(maskArea(mask)).toBe(16);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        expect(mask[x + y * 8]).toBe(x >= 2 && x <= 5 && y >= 3 && y <= 6 ? 1 : 0);
      }
    }
  });

  it('puts pixel (x, y) at index x + y * width on a non-square slice', () => {
    // width 3, height 2; only pixel (x=2, y=0) set → column-major position 2*2+0 = 4.
    const mask = decodeRle({ size: [2, 3], counts: [4, 1, 1] });
    expect(Array.from(mask)).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('handles a mask starting at the first pixel (leading zero-length run)', () => {
    const mask = decodeRle({ size: [2, 2], counts: [0, 2, 2] });
    // column 0 fully set: (0,0) and (0,1)
    expect(Array.from(mask)).toEqual([1, 0, 1, 0]);
  });

  it('round-trips random masks against an independent encoder', () => {
    const rnd = random(42);
    for (const [w, h] of [
      [1, 1],
      [7, 5],
      [64, 48],
      [512, 512],
    ]) {
      const mask = new Uint8Array(w * h);
      for (let i = 0; i < mask.length; i++) mask[i] = rnd() < 0.3 ? 1 : 0;
      expect(decodeRle(encodeRle(mask, h, w))).toEqual(mask);
    }
  });

  it('rejects counts that do not cover the slice exactly', () => {
    expect(() => decodeRle({ size: [2, 2], counts: [1, 1] })).toThrow(RleError);
    expect(() => decodeRle({ size: [2, 2], counts: [3, 3] })).toThrow(RleError);
    expect(() => decodeRle({ size: [2, 2], counts: [2, -1, 3] })).toThrow(RleError);
    expect(() => decodeRle({ size: [0, 2], counts: [] })).toThrow(RleError);
  });
});

describe('rleContains', () => {
  it('answers point queries without decoding', () => {
    const rle = { size: [8, 8] as [number, number], counts: [19, 4, 4, 4, 4, 4, 4, 4, 17] };
    expect(rleContains(rle, 2, 3)).toBe(true);
    expect(rleContains(rle, 5.9, 6.9)).toBe(true);
    expect(rleContains(rle, 1, 3)).toBe(false);
    expect(rleContains(rle, 6, 6)).toBe(false);
    expect(rleContains(rle, -1, 0)).toBe(false);
    expect(rleContains(rle, 8, 0)).toBe(false);
  });
});
