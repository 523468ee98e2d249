/**
 * Canvas → patient (world) → prompt coordinates. The canvas → world step is the viewport's own (it knows
 * zoom, pan, rotation and flips); world → image uses the image plane the renderer draws (imagePlane.ts),
 * not Cornerstone's worldToImageCoords, which divides the row distance by the row spacing and so swaps
 * the two spacings when PixelSpacing[0] ≠ PixelSpacing[1] (Cornerstone3D 5.6.8). Prompt (0, 0) is the
 * top-left corner of the top-left pixel (docs/api.md "Prompts").
 */
import type { PromptBox } from '../api/types';
import type { CornerstoneLibraries, Point2, Point3, ViewportLike } from '../host/types';
import type { ImagePlane } from './imagePlane';
import { isInsideImage, planeFromImagePlaneModule, planeFromVolumeSlice, worldToPrompt } from './imagePlane';

export interface ImagePoint {
  x: number;
  y: number;
  world: Point3;
}

/** Below this many canvas pixels of movement a press is a click, above it a box drag. */
export const DRAG_THRESHOLD_PX = 5;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** The plane of an image as the renderer places it (its imagePlaneModule metadata). */
export function imagePlaneOf(
  libs: CornerstoneLibraries,
  imageId: string,
  size: { width: number; height: number },
): ImagePlane {
  return planeFromImagePlaneModule(libs.cornerstone.metaData.get('imagePlaneModule', imageId), {
    columns: size.width,
    rows: size.height,
  });
}

/**
 * The plane of the shown image as this viewport renders it: in a volume (MPR) viewport the slice of the
 * volume that holds the image (the labelmap is drawn with the same volume geometry), otherwise the
 * image's own plane.
 */
export function viewportPlaneOf(
  libs: CornerstoneLibraries,
  viewport: ViewportLike,
  imageId: string,
  size: { width: number; height: number },
): ImagePlane {
  const volumeId = viewport.getVolumeId?.();
  const volume = volumeId ? libs.cornerstone.cache.getVolume?.(volumeId) : undefined;
  const k = volume?.imageIds?.indexOf(imageId) ?? -1;
  const dims = volume?.dimensions;
  if (volume && k >= 0 && dims && dims[0] === size.width && dims[1] === size.height) {
    const plane = planeFromVolumeSlice(volume, k, { columns: size.width, rows: size.height });
    if (plane) return plane;
  }
  return imagePlaneOf(libs, imageId, size);
}

/**
 * A canvas point (CSS pixels) in prompt coordinates. `inside` tells whether it lies on the image; x and
 * y are clamped to the image (a box corner dragged past the edge stops at the edge).
 */
export function canvasToImage(
  viewport: ViewportLike,
  plane: ImagePlane,
  canvas: Point2,
): ImagePoint & { inside: boolean } {
  const world = viewport.canvasToWorld(canvas);
  const p = worldToPrompt(plane, world);
  return {
    x: clamp(p.x, 0, plane.columns),
    y: clamp(p.y, 0, plane.rows),
    world,
    inside: isInsideImage(plane, p),
  };
}

export function isDrag(start: Point2, end: Point2): boolean {
  return Math.hypot(end[0] - start[0], end[1] - start[1]) >= DRAG_THRESHOLD_PX;
}

/** A box from two corners in any order; undefined when it has no area. */
export function boxFromCorners(
  a: { x: number; y: number },
  b: { x: number; y: number },
): PromptBox | undefined {
  const x0 = Math.min(a.x, b.x);
  const x1 = Math.max(a.x, b.x);
  const y0 = Math.min(a.y, b.y);
  const y1 = Math.max(a.y, b.y);
  return x1 > x0 && y1 > y0 ? [x0, y0, x1, y1] : undefined;
}

/** The slice pixel under the centre of the viewport's canvas (automatic mode's tie-breaker). */
export function viewportCentre(
  libs: CornerstoneLibraries,
  viewport: ViewportLike,
  imageId: string,
  size: { width: number; height: number },
): { x: number; y: number } | undefined {
  const canvas = viewport.getCanvas?.() ?? viewport.element.querySelector('canvas');
  if (!canvas) return undefined;
  try {
    const plane = viewportPlaneOf(libs, viewport, imageId, size);
    const p = canvasToImage(viewport, plane, [canvas.clientWidth / 2, canvas.clientHeight / 2]);
    return p.inside ? { x: p.x, y: p.y } : undefined;
  } catch {
    // No usable plane: automatic mode simply has no tie-breaker.
    return undefined;
  }
}
