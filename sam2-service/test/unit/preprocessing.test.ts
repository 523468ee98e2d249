import { modelSide, toModelInput } from '../../src/image/modelInput';
import { decodePixels, isBase64 } from '../../src/image/pixels';
import { defaultWindow, toDisplayImage } from '../../src/image/windowing';
import { ApiError } from '../../src/http/apiError';

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('decodePixels', () => {
  it('decodes little-endian int16, uint16, float32 and uint8', () => {
    expect([...decodePixels(b64(Int16Array.from([-1024, 0, 3071, -3024])), 'int16', 2, 2)]).toEqual([
      -1024, 0, 3071, -3024,
    ]);
    expect([...decodePixels(b64(Uint16Array.from([0, 4095, 65535, 1])), 'uint16', 4, 1)]).toEqual([
      0, 4095, 65535, 1,
    ]);
    expect([...decodePixels(b64(Float32Array.from([-1.5, 2.25])), 'float32', 1, 2)]).toEqual([-1.5, 2.25]);
    expect([...decodePixels(b64(Uint8Array.from([0, 255, 7])), 'uint8', 3, 1)]).toEqual([0, 255, 7]);
  });

  it('rejects a buffer whose length does not match width × height × dtype, naming image_data', () => {
    const call = () => decodePixels(b64(new Int16Array(5)), 'int16', 2, 2);
    expect(call).toThrow(ApiError);
    expect(call).toThrow(/image_data: expected 8 bytes for 2×2 int16 pixels, got 10/);
  });

  it('rejects NaN and Infinity in float32 pixels', () => {
    expect(() => decodePixels(b64(Float32Array.from([1, NaN])), 'float32', 2, 1)).toThrow(
      /pixel 1 is not a finite/,
    );
    expect(() => decodePixels(b64(Float32Array.from([Infinity])), 'float32', 1, 1)).toThrow(/not a finite/);
  });

  it('recognises malformed base64', () => {
    expect(isBase64('AAEC')).toBe(true);
    expect(isBase64('AA=C')).toBe(false);
    expect(isBase64('not base64!')).toBe(false);
  });
});

describe('toDisplayImage (windowing)', () => {
  it('applies rescale slope/intercept and the linear window lower = c - w/2 … upper = c + w/2', () => {
    // Stored values 0..: HU = 2 * v - 1024. Window 40/400 → -160..240 HU.
    const stored = Uint16Array.from([0, 432, 532, 632, 1000]); // HU -1024, -160, 40, 240, 976
    const { gray } = toDisplayImage(stored, {
      rescale: { slope: 2, intercept: -1024 },
      window: { center: 40, width: 400 },
      alreadyWindowed: false,
    });
    expect([gray[0], gray[1], gray[3], gray[4]]).toEqual([0, 0, 255, 255]);
    expect(Math.abs(gray[2] - 127.5)).toBeLessThanOrEqual(0.5); // the window centre maps to mid-grey
  });

  it('uses the soft-tissue window when none is given', () => {
    expect(defaultWindow).toEqual({ center: 40, width: 400 });
    const { gray } = toDisplayImage(Int16Array.from([40]), { alreadyWindowed: false });
    expect(Math.abs(gray[0] - 127.5)).toBeLessThanOrEqual(0.5);
  });

  it('inverts MONOCHROME1', () => {
    const pixels = Int16Array.from([-160, 240]);
    const normal = toDisplayImage(pixels, { alreadyWindowed: false });
    const inverted = toDisplayImage(pixels, { alreadyWindowed: false, photometric: 'MONOCHROME1' });
    expect([...normal.gray]).toEqual([0, 255]);
    expect([...inverted.gray]).toEqual([255, 0]);
  });

  it('marks the body as HU > -500 (air and the -3024 padding are outside)', () => {
    const { body } = toDisplayImage(Int16Array.from([-3024, -1000, -400, 50]), { alreadyWindowed: false });
    expect([...body]).toEqual([0, 0, 1, 1]);
  });

  it('takes uint8 as already windowed grey levels', () => {
    const { gray } = toDisplayImage(Uint8Array.from([0, 100, 255]), {
      alreadyWindowed: true,
      window: { center: 0, width: 1 },
    });
    expect([...gray]).toEqual([0, 100, 255]);
  });
});

describe('toModelInput (resize to 1024² + ImageNet normalisation)', () => {
  it('normalises each channel with SAM2 mean/std in NCHW order', () => {
    const input = toModelInput(new Uint8Array(4).fill(255), 2, 2);
    const plane = modelSide * modelSide;
    expect(input.length).toBe(3 * plane);
    expect(input[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(input[plane]).toBeCloseTo((1 - 0.456) / 0.224, 5);
    expect(input[2 * plane + plane - 1]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });

  it('resizes bilinearly without keeping the aspect ratio (left half dark, right half bright)', () => {
    const width = 4;
    const height = 2;
    const gray = Uint8Array.from([0, 0, 255, 255, 0, 0, 255, 255]);
    const input = toModelInput(gray, width, height);
    const value = (x: number, y: number) => input[y * modelSide + x] * 0.229 + 0.485;
    expect(value(0, 0)).toBeCloseTo(0, 5);
    expect(value(1023, 1023)).toBeCloseTo(1, 5);
    expect(value(256, 900)).toBeCloseTo(0, 5);
    expect(value(768, 10)).toBeCloseTo(1, 5);
    // The edge between the halves is interpolated, not a hard step.
    const middle = value(511, 500);
    expect(middle).toBeGreaterThan(0.2);
    expect(middle).toBeLessThan(0.8);
  });
});
