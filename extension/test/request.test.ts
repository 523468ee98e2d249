import { buildSegmentRequest, encodingKey, ImageIdCache } from '../src/api/request';
import type { ImageLike } from '../src/imaging/pixels';
import { buildPixelPayload, photometricOf, scalingOf, UnsupportedImageError } from '../src/imaging/pixels';
import { displayedInvert, voiLutFunctionOf, windowFromVoiRange } from '../src/imaging/window';
import { base64ToBytes } from './helpers';

function image(
  data: ImageLike['getPixelData'] extends () => infer T ? T : never,
  extra: Partial<ImageLike> = {},
) {
  return { rows: 2, columns: 2, getPixelData: () => data, ...extra } as ImageLike;
}

const identity = {
  patient_id: 'P1',
  study_uid: '1.2.3',
  series_uid: '1.2.3.4',
  sop_uid: '1.2.3.4.5',
  slice_index: 7,
};

describe('pixels', () => {
  it('sends pre-scaled CT (image.preScale.scaled) as int16 HU with rescale 1/0', () => {
    const hu = Int16Array.from([-1024, -100, 40, 1500]);
    const payload = buildPixelPayload(
      image(hu, { preScale: { enabled: true, scaled: true }, slope: 1, intercept: -1024 }),
    );
    expect(payload.image_type).toBe('int16');
    expect(payload.rescale).toEqual({ slope: 1, intercept: 0 });
    expect(payload.width).toBe(2);
    expect(payload.height).toBe(2);
    expect(Array.from(new Int16Array(base64ToBytes(payload.image_data).buffer))).toEqual([
      -1024, -100, 40, 1500,
    ]);
  });

  it('sends unscaled stored values with the image slope/intercept', () => {
    const stored = Uint16Array.from([0, 924, 1064, 2524]);
    const payload = buildPixelPayload(image(stored, { slope: 1, intercept: -1024 }));
    expect(payload.image_type).toBe('uint16');
    expect(payload.rescale).toEqual({ slope: 1, intercept: -1024 });
    expect(Array.from(new Uint16Array(base64ToBytes(payload.image_data).buffer))).toEqual([
      0, 924, 1064, 2524,
    ]);
  });

  it('falls back to the DICOM header rescale when the image carries none', () => {
    const payload = buildPixelPayload(image(Uint16Array.from([1, 2, 3, 4])), { slope: 2, intercept: -1000 });
    expect(payload.rescale).toEqual({ slope: 2, intercept: -1000 });
    expect(scalingOf(image(Uint16Array.from([1, 2, 3, 4]), { slope: 0 })).slope).toBe(1);
  });

  it('widens 8-bit data (uint8 on the wire means "already windowed") and sends float32 as is', () => {
    expect(buildPixelPayload(image(Uint8Array.from([0, 1, 2, 255]))).image_type).toBe('uint16');
    expect(buildPixelPayload(image(Int8Array.from([0, -1, 2, 3]))).image_type).toBe('int16');
    const f = buildPixelPayload(
      image(Float32Array.from([-1000.5, 0, 40.25, 3000]), { preScale: { scaled: true } }),
    );
    expect(f.image_type).toBe('float32');
    expect(Array.from(new Float32Array(base64ToBytes(f.image_data).buffer))).toEqual([
      -1000.5, 0, 40.25, 3000,
    ]);
    expect(buildPixelPayload(image(Int32Array.from([1, 2, 3, 4]))).image_type).toBe('float32');
  });

  it('refuses colour images, wrong lengths and non-finite floats', () => {
    expect(() => buildPixelPayload(image(Uint8Array.from([1, 2, 3, 4]), { color: true }))).toThrow(
      UnsupportedImageError,
    );
    expect(() => buildPixelPayload(image(Int16Array.from([1, 2, 3])))).toThrow(UnsupportedImageError);
    expect(() => buildPixelPayload(image(Float32Array.from([1, NaN, 3, 4])))).toThrow(UnsupportedImageError);
  });

  it('passes MONOCHROME1 through as the photometric; anything else is MONOCHROME2', () => {
    expect(photometricOf('MONOCHROME1')).toBe('MONOCHROME1');
    expect(photometricOf(' monochrome1 ')).toBe('MONOCHROME1');
    expect(photometricOf('MONOCHROME2')).toBe('MONOCHROME2');
    expect(photometricOf(undefined)).toBe('MONOCHROME2');
  });
});

describe('window from voiRange (what Cornerstone draws, as DICOM center/width)', () => {
  const scaled = { scaled: true, slope: 1, intercept: 0 };

  it('LINEAR: w = upper - lower + 1, c = (lower + upper + 1) / 2', () => {
    // The DICOM LINEAR ramp (C.11.2.1.2.1) runs from c - 0.5 - (w - 1)/2 = -160 to c - 0.5 + (w - 1)/2 = 240.
    expect(windowFromVoiRange({ lower: -160, upper: 240 }, scaled)).toEqual({
      center: 40.5,
      width: 401,
      voiLutFunction: 'LINEAR',
    });
  });

  it('LINEAR_EXACT: w = upper - lower, c = (lower + upper) / 2', () => {
    expect(windowFromVoiRange({ lower: -160, upper: 240 }, scaled, 'LINEAR_EXACT')).toEqual({
      center: 40,
      width: 400,
      voiLutFunction: 'LINEAR_EXACT',
    });
  });

  it("SIGMOID: Cornerstone's own toWindowLevel center/width", () => {
    expect(windowFromVoiRange({ lower: -160, upper: 240 }, scaled, 'SIGMOID')).toEqual({
      center: 40.5,
      width: 401,
      voiLutFunction: 'SIGMOID',
    });
  });

  it('maps a stored-value window to modality units for unscaled pixels', () => {
    const ct = { scaled: false, slope: 1, intercept: -1024 };
    expect(windowFromVoiRange({ lower: 864, upper: 1264 }, ct)).toMatchObject({ center: 40.5, width: 401 });
    // slope 2, intercept 10: stored 0..100 is 10..210 in modality units.
    const doubled = { scaled: false, slope: 2, intercept: 10 };
    expect(windowFromVoiRange({ lower: 0, upper: 100 }, doubled)).toMatchObject({
      center: 110.5,
      width: 201,
    });
    expect(windowFromVoiRange({ lower: 0, upper: 100 }, doubled, 'LINEAR_EXACT')).toMatchObject({
      center: 110,
      width: 200,
    });
    // Sigmoid: c = 50.5 stored -> 111, w = 101 stored -> 202.
    expect(windowFromVoiRange({ lower: 0, upper: 100 }, doubled, 'SIGMOID')).toMatchObject({
      center: 111,
      width: 202,
    });
    // Negative slope: stored 0..100 is -100..0.
    expect(
      windowFromVoiRange({ lower: 0, upper: 100 }, { scaled: false, slope: -1, intercept: 0 }),
    ).toMatchObject({
      center: -49.5,
      width: 101,
    });
  });

  it('keeps width > 0 and ignores a missing range', () => {
    expect(windowFromVoiRange({ lower: 50, upper: 50 }, scaled, 'LINEAR_EXACT')?.width).toBe(1);
    expect(windowFromVoiRange({ lower: 50, upper: 50 }, scaled)?.width).toBe(1);
    expect(windowFromVoiRange(undefined, scaled)).toBeUndefined();
  });

  it('reads the VOI LUT function; anything unknown is LINEAR', () => {
    expect(voiLutFunctionOf('SIGMOID')).toBe('SIGMOID');
    expect(voiLutFunctionOf('LINEAR_EXACT')).toBe('LINEAR_EXACT');
    expect(voiLutFunctionOf(undefined)).toBe('LINEAR');
    expect(voiLutFunctionOf('sigmoid?')).toBe('LINEAR');
  });
});

describe('displayed invert (the viewport property is the screen state)', () => {
  it('sends the viewport invert as is: MONOCHROME2 + Invert on, MONOCHROME1 + Invert off', () => {
    const scaled = { scaled: true, slope: 1, intercept: 0 };
    expect(displayedInvert(true, scaled)).toBe(true);
    expect(displayedInvert(false, scaled)).toBe(false);
    expect(displayedInvert(undefined, scaled)).toBeUndefined();
  });

  it('flips it when unscaled pixels have a negative slope (the screen runs against modality values)', () => {
    expect(displayedInvert(false, { scaled: false, slope: -1, intercept: 0 })).toBe(true);
  });
});

describe('buildSegmentRequest', () => {
  const ct = image(Int16Array.from([-1000, 0, 40, 400]), { preScale: { scaled: true } });

  it('builds a pixel request with window, photometric, prompts and identity', () => {
    const req = buildSegmentRequest({
      image: ct,
      window: { center: 400, width: 1800 },
      photometric: 'MONOCHROME1',
      identity,
      prompts: { points: [{ x: 1.5, y: 0.5, label: 1 }] },
    });
    expect(req).toMatchObject({
      image_type: 'int16',
      width: 2,
      height: 2,
      rescale: { slope: 1, intercept: 0 },
      window: { center: 400, width: 1800, voi_lut_function: 'LINEAR' },
      photometric: 'MONOCHROME1',
      prompts: { points: [{ x: 1.5, y: 0.5, label: 1 }] },
      ...identity,
    });
    expect(req.image_id).toBeUndefined();
    expect(typeof req.image_data).toBe('string');
    expect('invert' in req).toBe(false); // the viewport did not say: the service follows the header
  });

  it('sends what is on screen: invert and the VOI LUT function', () => {
    const req = buildSegmentRequest({
      image: ct,
      window: { center: 40.5, width: 401, voiLutFunction: 'SIGMOID' },
      photometric: 'MONOCHROME2',
      invert: true,
      identity,
    });
    expect(req).toMatchObject({
      window: { center: 40.5, width: 401, voi_lut_function: 'SIGMOID' },
      photometric: 'MONOCHROME2',
      invert: true,
    });
    const off = buildSegmentRequest({ image: ct, photometric: 'MONOCHROME1', invert: false, identity });
    expect(off).toMatchObject({ photometric: 'MONOCHROME1', invert: false });
  });

  it('omits prompts entirely for automatic mode', () => {
    expect('prompts' in buildSegmentRequest({ image: ct, photometric: 'MONOCHROME2', identity })).toBe(false);
    expect(
      'prompts' in
        buildSegmentRequest({ image: ct, photometric: 'MONOCHROME2', identity, prompts: { points: [] } }),
    ).toBe(false);
  });

  it('sends only image_id, prompts and identity for a slice the service already encoded', () => {
    const req = buildSegmentRequest({
      image: ct,
      photometric: 'MONOCHROME2',
      identity,
      prompts: { box: [0, 0, 2, 2] },
      cachedImageId: 'a'.repeat(64),
    });
    expect(req).toEqual({ image_id: 'a'.repeat(64), prompts: { box: [0, 0, 2, 2] }, ...identity });
  });

  it('keys encodings by image, window, VOI LUT function, photometric and invert', () => {
    const a = encodingKey('img:1', { center: 40, width: 400 }, 'MONOCHROME2');
    expect(encodingKey('img:1', { center: 40, width: 400 }, 'MONOCHROME2')).toBe(a);
    expect(encodingKey('img:1', { center: 400, width: 1800 }, 'MONOCHROME2')).not.toBe(a);
    expect(encodingKey('img:2', { center: 40, width: 400 }, 'MONOCHROME2')).not.toBe(a);
    expect(encodingKey('img:1', { center: 40, width: 400 }, 'MONOCHROME1')).not.toBe(a);
    const w = { center: 40, width: 400 };
    expect(encodingKey('img:1', { ...w, voiLutFunction: 'LINEAR' }, 'MONOCHROME2')).toBe(a);
    expect(encodingKey('img:1', { ...w, voiLutFunction: 'SIGMOID' }, 'MONOCHROME2')).not.toBe(a);
    expect(encodingKey('img:1', w, 'MONOCHROME2', true)).not.toBe(a);
    expect(encodingKey('img:1', w, 'MONOCHROME2', false)).not.toBe(
      encodingKey('img:1', w, 'MONOCHROME2', true),
    );
  });

  it('keeps a bounded least-recently-used image_id cache', () => {
    const cache = new ImageIdCache(2);
    cache.set('a', '1');
    cache.set('b', '2');
    expect(cache.get('a')).toBe('1'); // a is now most recent
    cache.set('c', '3'); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('1');
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
