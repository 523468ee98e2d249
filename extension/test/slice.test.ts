/** readSlice: what the active viewport shows, read through the host's structural types (no OHIF here). */
import type { CornerstoneLibraries, ViewportLike } from '../src/host/types';
import { readSlice } from '../src/imaging/slice';

function fakes(properties: ReturnType<ViewportLike['getProperties']>, photometric = 'MONOCHROME2') {
  const image = {
    imageId: 'dicomfile:1',
    rows: 2,
    columns: 2,
    getPixelData: () => Int16Array.from([0, 1, 2, 3]),
    preScale: { scaled: true },
  };
  const metadata: Record<string, Record<string, unknown>> = {
    imagePixelModule: { photometricInterpretation: photometric },
  };
  const libs = {
    cornerstone: {
      cache: { getImage: (id: string) => (id === image.imageId ? image : undefined) },
      metaData: { get: (type: string) => metadata[type] },
    },
    cornerstoneTools: {},
  } as unknown as CornerstoneLibraries;
  const viewport = {
    id: 'vp',
    getCurrentImageId: () => image.imageId,
    getProperties: () => properties,
  } as unknown as ViewportLike;
  return { libs, viewport };
}

describe('readSlice reads the display state of the viewport', () => {
  it('takes VOILUTFunction and invert from the viewport properties (Cornerstone names)', () => {
    const { libs, viewport } = fakes({
      voiRange: { lower: -160, upper: 240 },
      VOILUTFunction: 'SIGMOID',
      invert: true,
    });
    const slice = readSlice(libs, viewport);
    expect(slice.viewedWindow).toEqual({ center: 40.5, width: 401, voiLutFunction: 'SIGMOID' });
    expect(slice.invert).toBe(true);
    expect(slice.photometric).toBe('MONOCHROME2');
  });

  it('MONOCHROME1 with Invert switched off is sent as not inverted', () => {
    const { libs, viewport } = fakes({ voiRange: { lower: 0, upper: 100 }, invert: false }, 'MONOCHROME1');
    const slice = readSlice(libs, viewport);
    expect(slice.photometric).toBe('MONOCHROME1');
    expect(slice.invert).toBe(false);
    expect(slice.viewedWindow?.voiLutFunction).toBe('LINEAR');
  });

  it('leaves invert undefined (the header decides) when the viewport reports no properties', () => {
    const { libs, viewport } = fakes(undefined);
    const slice = readSlice(libs, viewport);
    expect(slice.invert).toBeUndefined();
    expect(slice.viewedWindow).toBeUndefined();
  });
});
