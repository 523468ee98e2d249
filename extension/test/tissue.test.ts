import { resolveConfig } from '../src/config';
import { CONTEXTS, getContext, getContextBySegmentLabel, huRangeOf } from '../src/contexts';
import { BUTTON_SECTIONS } from '../src/toolbarButtons';
import { BUTTON_IDS } from '../src/id';
import { modalityValues } from '../src/imaging/hu';
import { DEFAULT_HU_RANGES, resolveHuRanges } from '../src/tissue/huRange';
import { restrictMaskToHuRange } from '@ohif-sam2/ct-anatomy';

describe('tissue HU ranges', () => {
  it('defaults are the standard L3 thresholds (Mitsiopoulos 1998, Mourtzakis 2008)', () => {
    expect(DEFAULT_HU_RANGES['skeletal-muscle']).toEqual({ min: -29, max: 150 });
    expect(DEFAULT_HU_RANGES.vat).toEqual({ min: -150, max: -50 });
    expect(DEFAULT_HU_RANGES.sat).toEqual({ min: -190, max: -30 });
  });

  it('app-config overrides a tissue; invalid entries keep the default and are named', () => {
    const { ranges, invalid } = resolveHuRanges({
      'skeletal-muscle': { min: -30, max: 100 },
      vat: { min: 10, max: -10 },
      sat: { min: 'a', max: 0 },
    });
    expect(ranges['skeletal-muscle']).toEqual({ min: -30, max: 100 });
    expect(ranges.vat).toEqual(DEFAULT_HU_RANGES.vat);
    expect(ranges.sat).toEqual(DEFAULT_HU_RANGES.sat);
    expect(invalid).toEqual(['vat', 'sat']);
    expect(resolveConfig({ huRanges: { vat: { min: -140, max: -40 } } }).huRanges.vat).toEqual({
      min: -140,
      max: -40,
    });
    expect(resolveConfig(undefined).huRanges).toEqual(DEFAULT_HU_RANGES);
  });

  it('each tissue context carries its range; vertebra and structure carry none', () => {
    expect(huRangeOf(getContext('skeletal-muscle'))).toEqual({ min: -29, max: 150 });
    expect(huRangeOf(getContext('vat'))).toEqual({ min: -150, max: -50 });
    expect(huRangeOf(getContext('sat'))).toEqual({ min: -190, max: -30 });
    expect(huRangeOf(getContext('l3-vertebra'))).toBeUndefined();
    expect(huRangeOf(getContext('structure'))).toBeUndefined();
    const custom = resolveConfig({ huRanges: { sat: { min: -200, max: -20 } } }).huRanges;
    expect(huRangeOf(getContext('sat'), custom)).toEqual({ min: -200, max: -20 });
  });

  it('VAT and SAT contexts have their own labels, colours and menu entries', () => {
    const vat = getContext('vat');
    const sat = getContext('sat');
    expect(vat.segmentLabel).toBe('Visceral adipose tissue (VAT)');
    expect(sat.segmentLabel).toBe('Subcutaneous adipose tissue (SAT)');
    expect(vat.color).not.toEqual(sat.color);
    expect(new Set(CONTEXTS.map((c) => c.segmentLabel)).size).toBe(CONTEXTS.length);
    expect(BUTTON_SECTIONS[BUTTON_IDS.contextMenu]).toEqual(
      expect.arrayContaining([BUTTON_IDS.contextVat, BUTTON_IDS.contextSat]),
    );
    expect(getContextBySegmentLabel('Skeletal muscle (L3)')?.id).toBe('skeletal-muscle');
    expect(getContextBySegmentLabel('Segment 1')).toBeUndefined();
  });
});

describe('restrictMaskToHuRange', () => {
  it('clears exactly the voxels outside the closed range', () => {
    const hu = [-200, -29, -30, 0, 150, 151, 40, 1000];
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 1]);
    const out = restrictMaskToHuRange(mask, hu, { min: -29, max: 150 });
    // Expected by hand: in range and in mask → −29, 0, 150 (indices 1, 3, 4); 40 is outside the mask.
    expect(Array.from(out)).toEqual([0, 1, 0, 1, 1, 0, 0, 0]);
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 1, 1, 0, 1]);
  });

  it('refuses a mask and slice of different sizes', () => {
    expect(() => restrictMaskToHuRange(new Uint8Array(4), [0, 0, 0], { min: 0, max: 1 })).toThrow(RangeError);
  });
});

describe('modalityValues', () => {
  const image = (data: Int16Array | Uint16Array) => ({
    rows: 1,
    columns: data.length,
    getPixelData: () => data,
  });
  it('applies slope/intercept to stored values', () => {
    const out = modalityValues(image(Uint16Array.from([0, 1024, 2048])), {
      scaled: false,
      slope: 1,
      intercept: -1024,
    });
    expect(Array.from(out)).toEqual([-1024, 0, 1024]);
  });
  it('keeps pre-scaled values', () => {
    const out = modalityValues(image(Int16Array.from([-1000, 40])), { scaled: true, slope: 1, intercept: 0 });
    expect(Array.from(out)).toEqual([-1000, 40]);
  });
});
