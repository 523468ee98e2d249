import { modelSide, toModelInput } from '../../src/image/modelInput';
import { decodePixels, isBase64 } from '../../src/image/pixels';
import { defaultWindow, displayInvert, toDisplayImage, voiLut } from '../../src/image/windowing';
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

  it('inverts when asked (255 - g), and by default only MONOCHROME1', () => {
    const pixels = Int16Array.from([-160, 240]);
    const normal = toDisplayImage(pixels, { alreadyWindowed: false });
    const inverted = toDisplayImage(pixels, { alreadyWindowed: false, invert: true });
    expect([...normal.gray]).toEqual([0, 255]);
    expect([...inverted.gray]).toEqual([255, 0]);
    // The explicit flag wins over the header (MONOCHROME2 + Invert on; MONOCHROME1 + Invert off).
    expect(displayInvert(true, 'MONOCHROME2')).toBe(true);
    expect(displayInvert(false, 'MONOCHROME1')).toBe(false);
    expect(displayInvert(undefined, 'MONOCHROME1')).toBe(true);
    expect(displayInvert(undefined, 'MONOCHROME2')).toBe(false);
    expect(displayInvert(undefined, undefined)).toBe(false);
  });

  // Expected grey levels computed by hand from DICOM PS3.3 C.11.2.1.2 (ymin 0, ymax 255), c = 40.
  it('LINEAR (C.11.2.1.2.1), w = 401: linear from -160.5 to 239.5', () => {
    const window = { center: 40, width: 401, voi_lut_function: 'LINEAR' as const };
    // x = -60.5: ((-60.5 - 39.5) / 400 + 0.5) * 255 = 63.75 -> 64; x = 139.5: 0.75 * 255 = 191.25 -> 191
    const pixels = Int16Array.from([-1000, -161, -60, 140, 240, 3000]);
    const { gray } = toDisplayImage(Float32Array.from([-1000, -160.5, -60.5, 139.5, 239.5, 239.6, 3000]), {
      window,
      alreadyWindowed: false,
    });
    expect([...gray]).toEqual([0, 0, 64, 191, 255, 255, 255]);
    // The default function is LINEAR.
    expect([
      ...toDisplayImage(pixels, { window: { center: 40, width: 401 }, alreadyWindowed: false }).gray,
    ]).toEqual([...toDisplayImage(pixels, { window, alreadyWindowed: false }).gray]);
  });

  it('LINEAR_EXACT (C.11.2.1.3.2), w = 400: linear from -160 to 240', () => {
    const { gray } = toDisplayImage(Float32Array.from([-160, -60, 140, 200, 240, 240.5]), {
      window: { center: 40, width: 400, voi_lut_function: 'LINEAR_EXACT' },
      alreadyWindowed: false,
    });
    // -60: 0.25 * 255 = 63.75 -> 64; 140: 191.25 -> 191; 200: 0.9 * 255 = 229.5 -> 230
    expect([...gray]).toEqual([0, 64, 191, 230, 255, 255]);
  });

  it('SIGMOID (C.11.2.1.3.1), w = 400: 255 / (1 + exp(-4 (x - 40) / 400))', () => {
    const { gray } = toDisplayImage(Float32Array.from([40, 140, -60, 1040, -2000]), {
      window: { center: 40, width: 400, voi_lut_function: 'SIGMOID' },
      alreadyWindowed: false,
    });
    // 140: 255 / (1 + e^-1) = 186.42 -> 186; -60: 255 / (1 + e) = 68.58 -> 69; 1040: 254.988 -> 255
    expect([...gray]).toEqual([128, 186, 69, 255, 0]);
  });

  it('LINEAR with w = 1 is a threshold at c - 0.5', () => {
    const lut = voiLut({ center: 10, width: 1 });
    expect([lut(9.5), lut(9.6), lut(-100), lut(100)]).toEqual([0, 255, 0, 255]);
  });

  it('applies the window to modality values (after rescale), then inverts', () => {
    // stored 600 * 0.5 - 300 = 0 HU; LINEAR_EXACT 0 / 100 -> 127.5 -> 128, inverted 127
    const { gray } = toDisplayImage(Uint16Array.from([600]), {
      rescale: { slope: 0.5, intercept: -300 },
      window: { center: 0, width: 100, voi_lut_function: 'LINEAR_EXACT' },
      invert: true,
      alreadyWindowed: false,
    });
    expect([...gray]).toEqual([127]);
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
