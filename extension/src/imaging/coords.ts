/**
 * Canvas → world → slice pixel coordinates, with the host's own transforms. Cornerstone's
 * worldToImageCoords puts (0, 0) at the top-left corner of the top-left pixel, the convention of the
 * service's prompts (docs/api.md "Prompts").
 */
import type { PromptBox } from '../api/types';
import type { CornerstoneLibraries, Point2, Point3, ViewportLike } from '../host/types';

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

export function canvasToImage(
  libs: CornerstoneLibraries,
  viewport: ViewportLike,
  imageId: string,
  canvas: Point2,
  size: { width: number; height: number },
): ImagePoint & { inside: boolean } {
  const world = viewport.canvasToWorld(canvas);
  const [x, y] = libs.cornerstone.utilities.worldToImageCoords(imageId, world);
  const inside = x >= 0 && y >= 0 && x <= size.width && y <= size.height;
  return { x: clamp(x, 0, size.width), y: clamp(y, 0, size.height), world, inside };
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
  const p = canvasToImage(libs, viewport, imageId, [canvas.clientWidth / 2, canvas.clientHeight / 2], size);
  return p.inside ? { x: p.x, y: p.y } : undefined;
}
