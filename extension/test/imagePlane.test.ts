/**
 * Image plane geometry (DICOM PS3.3 C.7.6.2.1.1) with hand-computed values: unequal row/column spacing
 * on non-square and square matrices, an oblique plane, defaults, and canvas → prompt through viewports
 * that are zoomed, panned, rotated and flipped.
 */
import type { CornerstoneLibraries, Point2, Point3, ViewportLike } from '../src/host/types';
import { canvasToImage, viewportPlaneOf } from '../src/imaging/coords';
import type { ImagePlane } from '../src/imaging/imagePlane';
import {
  ImagePlaneError,
  isInsideImage,
  planeFromImagePlaneModule,
  planeFromVolumeSlice,
  promptToWorld,
  worldToPrompt,
} from '../src/imaging/imagePlane';
import { gestureToPrompt, OUTSIDE_BOX_MESSAGE, OUTSIDE_CLICK_MESSAGE } from '../src/tools/gesturePrompt';

/** `digits`: 9 by default; 6 where the cosines come from a Float32Array (as Cornerstone stores IOP). */
function expectPoint(actual: { x: number; y: number }, x: number, y: number, digits = 9): void {
  expect(actual.x).toBeCloseTo(x, digits);
  expect(actual.y).toBeCloseTo(y, digits);
}

function expectWorld(actual: Point3, expected: Point3, digits = 9): void {
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], digits));
}

/** Field case b01: 256 columns × 320 rows, PixelSpacing [0.9765625, 1.953125] (row, column), axial. */
const b01: ImagePlane = planeFromImagePlaneModule(
  {
    imagePositionPatient: [-200, -150, 10],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    rowCosines: [1, 0, 0],
    columnCosines: [0, 1, 0],
    rowPixelSpacing: 0.9765625,
    columnPixelSpacing: 1.953125,
    pixelSpacing: [0.9765625, 1.953125],
  },
  { columns: 256, rows: 320 },
);

describe('unequal row and column spacing', () => {
  it('non-square matrix (b01): the marker pixel (225, 27) is prompt (225.5, 27.5), not x doubled / y halved', () => {
    // Centre of pixel (225, 27): IPP + 225 · 1.953125 mm along the row + 27 · 0.9765625 mm down the column.
    const world: Point3 = [-200 + 439.453125, -150 + 26.3671875, 10];
    expectPoint(worldToPrompt(b01, world), 225.5, 27.5);
    // The liver pixel (94, 189): 94 · 1.953125 = 183.59375, 189 · 0.9765625 = 184.5703125.
    expectPoint(worldToPrompt(b01, [-200 + 183.59375, -150 + 184.5703125, 10]), 94.5, 189.5);
  });

  it('the top-left corner of the image is (0, 0) and the bottom-right corner (columns, rows)', () => {
    // Half a pixel before the first centre: 0.9765625 mm left, 0.48828125 mm up.
    expectPoint(worldToPrompt(b01, [-200 - 0.9765625, -150 - 0.48828125, 10]), 0, 0);
    // 256 columns · 1.953125 = 500 mm wide, 320 rows · 0.9765625 = 312.5 mm high.
    expectPoint(worldToPrompt(b01, [-200 - 0.9765625 + 500, -150 - 0.48828125 + 312.5, 10]), 256, 320);
  });

  it('square matrix, 0.5 mm between rows and 2 mm between columns', () => {
    const plane = planeFromImagePlaneModule(
      {
        imagePositionPatient: [0, 0, 0],
        rowCosines: [1, 0, 0],
        columnCosines: [0, 1, 0],
        pixelSpacing: [0.5, 2],
      },
      { columns: 256, rows: 256 },
    );
    expect(plane.rowSpacing).toBe(0.5);
    expect(plane.columnSpacing).toBe(2);
    // Pixel (10, 200): 10 · 2 = 20 mm right, 200 · 0.5 = 100 mm down.
    expectPoint(worldToPrompt(plane, [20, 100, 0]), 10.5, 200.5);
    expectWorld(promptToWorld(plane, { x: 10.5, y: 200.5 }), [20, 100, 0]);
  });
});

describe('oblique plane', () => {
  // Row along (0.6, 0.8, 0), column along (0, 0, −1): normal = row × column = (−0.8, 0.6, 0).
  const plane = planeFromImagePlaneModule(
    {
      imagePositionPatient: [10, 20, 30],
      imageOrientationPatient: new Float32Array([0.6, 0.8, 0, 0, 0, -1]),
      pixelSpacing: [0.5, 0.8],
    },
    { columns: 64, rows: 48 },
  );

  it('reads IOP (a typed array) when the row/column cosines are not given separately', () => {
    expectWorld(plane.rowCosines, [0.6, 0.8, 0], 6);
    expectWorld(plane.columnCosines, [0, 0, -1], 6);
  });

  it('pixel (5, 10) lies at IPP + 5 · 0.8 · row + 10 · 0.5 · column', () => {
    // 4 mm along (0.6, 0.8, 0) = (2.4, 3.2, 0); 5 mm along (0, 0, −1) = (0, 0, −5).
    const world: Point3 = [12.4, 23.2, 25];
    expectPoint(worldToPrompt(plane, world), 5.5, 10.5, 6);
    expectWorld(promptToWorld(plane, { x: 5.5, y: 10.5 }), world, 6);
  });

  it('a point off the plane projects along the normal', () => {
    expectPoint(worldToPrompt(plane, [12.4 - 0.8 * 3, 23.2 + 0.6 * 3, 25]), 5.5, 10.5, 6);
  });

  it('cosines that are not quite orthonormal still invert exactly (Gram system)', () => {
    const skewed: ImagePlane = { ...plane, rowCosines: [1, 0.05, 0], columnCosines: [0.02, 1, 0.01] };
    const p = { x: 17.25, y: 3.75 };
    expectPoint(worldToPrompt(skewed, promptToWorld(skewed, p)), p.x, p.y);
  });

  it('parallel cosines are no plane', () => {
    const flat: ImagePlane = { ...plane, columnCosines: plane.rowCosines };
    expect(() => worldToPrompt(flat, [0, 0, 0])).toThrow(ImagePlaneError);
  });
});

describe('defaults and bounds', () => {
  it('without metadata: the renderer defaults (1 mm, identity orientation, origin 0)', () => {
    const plane = planeFromImagePlaneModule(undefined, { columns: 4, rows: 3 });
    expectPoint(worldToPrompt(plane, [2, 1, 0]), 2.5, 1.5);
  });

  it('inside means 0 ≤ x ≤ columns and 0 ≤ y ≤ rows', () => {
    expect(isInsideImage(b01, { x: 0, y: 0 })).toBe(true);
    expect(isInsideImage(b01, { x: 256, y: 320 })).toBe(true);
    expect(isInsideImage(b01, { x: 256.01, y: 10 })).toBe(false);
    expect(isInsideImage(b01, { x: 10, y: -0.01 })).toBe(false);
  });
});

/**
 * A viewport whose canvas → world mapping is a hand-written similarity transform of the b01 plane:
 * the image centre at canvas `centre`, `pxPerMm` canvas pixels per mm, rotated by `degrees` clockwise on
 * screen, optionally flipped left-right. This is the transform OHIF applies when zooming, panning,
 * rotating and flipping; here it is spelled out so the expected prompt can be computed by hand.
 */
function fakeViewport(opts: {
  centre: Point2;
  pxPerMm: number;
  degrees: number;
  flip: boolean;
}): ViewportLike {
  const mid = promptToWorld(b01, { x: 128, y: 160 });
  const t = (opts.degrees * Math.PI) / 180;
  return {
    id: 'vp',
    canvasToWorld: ([cx, cy]: Point2): Point3 => {
      // Undo pan and zoom, then rotation, then the flip: screen → image axes (mm).
      const sx = (cx - opts.centre[0]) / opts.pxPerMm;
      const sy = (cy - opts.centre[1]) / opts.pxPerMm;
      let u = Math.cos(t) * sx + Math.sin(t) * sy;
      const v = -Math.sin(t) * sx + Math.cos(t) * sy;
      if (opts.flip) u = -u;
      return [mid[0] + u, mid[1] + v, mid[2]];
    },
    getCurrentImageId: () => 'img',
  } as unknown as ViewportLike;
}

const libs = {
  cornerstone: {
    metaData: {
      get: (type: string) =>
        type === 'imagePlaneModule'
          ? { imagePositionPatient: [-200, -150, 10], pixelSpacing: [0.9765625, 1.953125] }
          : undefined,
    },
    cache: { getImage: () => ({ columns: 256, rows: 320 }) },
  },
} as unknown as CornerstoneLibraries;

describe('canvas → prompt through a zoomed, panned, rotated and flipped viewport', () => {
  it('no rotation, 2 px/mm, panned: 10 px right of the centre is 5 mm = 2.56 columns', () => {
    const vp = fakeViewport({ centre: [300, 200], pxPerMm: 2, degrees: 0, flip: false });
    // Image centre (128, 160); 5 mm / 1.953125 mm = 2.56 columns; 20 px down = 10 mm = 10.24 rows.
    expectPoint(canvasToImage(vp, b01, [310, 220]), 130.56, 170.24);
  });

  it('rotated 90° and flipped: screen right is image down, screen down is image left (flipped)', () => {
    const vp = fakeViewport({ centre: [100, 100], pxPerMm: 1, degrees: 90, flip: true });
    // (sx, sy) = (10, 20) mm → u = sy = 20 → flipped −20 mm = −10.24 columns; v = −sx = −10 mm = −10.24 rows.
    expectPoint(canvasToImage(vp, b01, [110, 120]), 128 - 10.24, 160 - 10.24);
  });

  it('a click beside the image is refused with a message, not dropped', () => {
    const vp = fakeViewport({ centre: [300, 300], pxPerMm: 1, degrees: 0, flip: false });
    // 260 mm right of the centre: past the 250 mm half-width.
    const result = gestureToPrompt(libs, vp, {
      viewportId: 'vp',
      start: [560, 300],
      end: [560, 300],
      negative: false,
      isBox: false,
    });
    expect(result).toEqual({ refused: OUTSIDE_CLICK_MESSAGE });
  });

  it('a click on the image is a point prompt in image pixels', () => {
    const vp = fakeViewport({ centre: [300, 300], pxPerMm: 1, degrees: 0, flip: false });
    const result = gestureToPrompt(libs, vp, {
      viewportId: 'vp',
      start: [300, 300],
      end: [300, 300],
      negative: true,
      isBox: false,
    });
    expect(result).toMatchObject({ input: { kind: 'point', x: 128, y: 160, negative: true } });
  });

  it('a box past the edge is clipped to the image; a box beside the image is refused', () => {
    const vp = fakeViewport({ centre: [300, 300], pxPerMm: 1, degrees: 0, flip: false });
    const clipped = gestureToPrompt(libs, vp, {
      viewportId: 'vp',
      start: [300, 300],
      end: [600, 600],
      negative: false,
      isBox: true,
    });
    expect(clipped).toMatchObject({ input: { kind: 'box', box: [128, 160, 256, 320] } });
    const beside = gestureToPrompt(libs, vp, {
      viewportId: 'vp',
      start: [560, 100],
      end: [600, 200],
      negative: false,
      isBox: true,
    });
    expect(beside).toEqual({ refused: OUTSIDE_BOX_MESSAGE });
  });
});

describe('volume (MPR) viewports: the slice plane of the rendered volume', () => {
  // b01's geometry as a volume of 5 slices 3 mm apart: spacing [between columns, between rows, slices].
  const volume = {
    imageIds: ['s0', 's1', 's2', 's3', 's4'],
    origin: [-250, -340, -784.5],
    direction: new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    spacing: [1.953125, 0.9765625, 3],
    dimensions: [256, 320, 5],
  };
  // Centre of pixel (94, 189) on slice 2: 94 · 1.953125 = 183.59375, 189 · 0.9765625 = 184.5703125, z + 6.
  const liverOnSlice2: Point3 = [-250 + 183.59375, -340 + 184.5703125, -778.5];

  it('slice k lies k slice spacings along the normal; columns use spacing[0], rows spacing[1]', () => {
    const plane = planeFromVolumeSlice(volume, 2, { columns: 256, rows: 320 })!;
    expectWorld(plane.imagePositionPatient, [-250, -340, -778.5]);
    expect(plane.columnSpacing).toBe(1.953125);
    expect(plane.rowSpacing).toBe(0.9765625);
    expectPoint(worldToPrompt(plane, liverOnSlice2), 94.5, 189.5);
  });

  it('incomplete volume geometry is no plane', () => {
    expect(
      planeFromVolumeSlice({ ...volume, spacing: [1, 1] }, 0, { columns: 256, rows: 320 }),
    ).toBeUndefined();
  });

  /** Slice s2's own IPP is 5 mm off the volume's line in x (as in a sheared series). */
  function libsWith(): CornerstoneLibraries {
    return {
      cornerstone: {
        metaData: {
          get: (type: string) =>
            type === 'imagePlaneModule'
              ? { imagePositionPatient: [-245, -340, -778.5], pixelSpacing: [0.9765625, 1.953125] }
              : undefined,
        },
        cache: { getImage: () => ({ columns: 256, rows: 320 }), getVolume: () => volume },
      },
    } as unknown as CornerstoneLibraries;
  }

  it('a volume viewport uses the volume slice (what it renders), a stack viewport the image plane', () => {
    const size = { width: 256, height: 320 };
    const mpr = { id: 'mpr', getVolumeId: () => 'vol' } as unknown as ViewportLike;
    expectPoint(worldToPrompt(viewportPlaneOf(libsWith(), mpr, 's2', size), liverOnSlice2), 94.5, 189.5);
    const stack = { id: 'stack' } as unknown as ViewportLike;
    // 5 mm = 2.56 columns to the left in the image's own plane.
    expectPoint(
      worldToPrompt(viewportPlaneOf(libsWith(), stack, 's2', size), liverOnSlice2),
      94.5 - 2.56,
      189.5,
    );
  });

  it('an image that is not a slice of the volume falls back to its own plane', () => {
    const mpr = { id: 'mpr', getVolumeId: () => 'vol' } as unknown as ViewportLike;
    const plane = viewportPlaneOf(libsWith(), mpr, 'other', { width: 256, height: 320 });
    expectWorld(plane.imagePositionPatient, [-245, -340, -778.5]);
  });
});
