/**
 * Pixels to base64: the native Uint8Array.prototype.toBase64 when the engine has it, the btoa fallback
 * otherwise; both must give Node's standard padded base64 of the same bytes (an independent encoder),
 * for any length and for a view into a larger buffer.
 */
import { fallbackBase64, typedArrayToBase64 } from '../src/imaging/base64';
import { random } from './helpers';

const hasNative = typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64 === 'function';

function bytes(n: number, seed: number): Uint8Array {
  const r = random(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

describe('typedArrayToBase64', () => {
  it.each([0, 1, 2, 3, 4, 0x8000 - 1, 0x8000, 0x8000 + 1, 512 * 512 * 2])(
    '%i bytes: the fallback equals Node’s base64',
    (n) => {
      const b = bytes(n, n + 1);
      expect(fallbackBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(typedArrayToBase64(b)).toBe(Buffer.from(b).toString('base64'));
    },
  );

  it('encodes only the view’s bytes (an Int16Array inside a larger buffer)', () => {
    const buffer = new ArrayBuffer(64);
    const view = new Int16Array(buffer, 8, 10);
    view.set([-1024, 0, 1, 40, 400, -1, 32767, -32768, 7, 3]);
    const expected = Buffer.from(buffer, 8, 20).toString('base64');
    expect(typedArrayToBase64(view)).toBe(expected);
  });

  it('takes the engine’s toBase64 when there is one', () => {
    const b = bytes(10, 3);
    const proto = Uint8Array.prototype as { toBase64?: () => string };
    const original = proto.toBase64;
    const calls: number[] = [];
    proto.toBase64 = function (this: Uint8Array) {
      calls.push(this.length);
      return Buffer.from(this).toString('base64');
    };
    try {
      expect(typedArrayToBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(calls).toEqual([10]);
    } finally {
      if (original) proto.toBase64 = original;
      else delete proto.toBase64;
    }
    expect(hasNative).toBe(typeof proto.toBase64 === 'function');
  });
});
