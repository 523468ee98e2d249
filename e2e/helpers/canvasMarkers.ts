/**
 * Finding things on screen from the rendered canvas pixels alone, independently of any coordinate code
 * (the viewer's or ours): bright markers burnt into a test image are found as blobs of the viewport's
 * canvas, and three of them give the affine map slice pixel → page position, whatever the zoom, pan,
 * rotation, flip or pixel spacing.
 */
import type { Page } from 'playwright-core';

/** A connected blob of canvas pixels, in page coordinates (CSS pixels). */
export interface Blob {
  /** Centroid of the blob's pixels. */
  x: number;
  y: number;
  /** Number of canvas pixels in the blob. */
  area: number;
  /** [x0, y0, x1, y1] in page coordinates. */
  bbox: [number, number, number, number];
}

interface BlobViewport {
  canvas: HTMLCanvasElement;
  getProperties(): { voiRange?: { lower: number; upper: number } };
  setProperties(p: { voiRange: { lower: number; upper: number } }): void;
  render(): void;
}

interface BlobWindow {
  services: {
    viewportGridService: { getActiveViewportId(): string };
    cornerstoneViewportService: { getCornerstoneViewport(id: string): BlobViewport | undefined };
  };
}

export interface BlobSearch {
  /** The display window while the canvas is read (restored afterwards), in modality units (HU). */
  voiRange: { lower: number; upper: number };
  /** Grey levels (0–255) that belong to a blob: [min, max]. */
  levels: [number, number];
  /** Blobs with fewer canvas pixels are ignored (noise, anti-aliased edges of other things). */
  minArea?: number;
}

/**
 * Blobs of grey canvas pixels with a level in `levels` while the active viewport shows `voiRange`,
 * largest first. Coloured pixels (a labelmap overlay) are not grey and never count.
 */
export async function findCanvasBlobs(page: Page, search: BlobSearch): Promise<Blob[]> {
  return page.evaluate(async ({ voiRange, levels, minArea }) => {
    const w = window as unknown as BlobWindow;
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    if (!viewport) throw new Error('no active viewport');
    const frames = (n: number) =>
      new Promise<void>((resolve) => {
        const step = (left: number) => (left ? requestAnimationFrame(() => step(left - 1)) : resolve());
        step(n);
      });
    const previous = viewport.getProperties().voiRange;
    viewport.setProperties({ voiRange });
    viewport.render();
    await frames(4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const canvas = viewport.canvas;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, copy.width, copy.height);
    if (previous) {
      viewport.setProperties({ voiRange: previous });
      viewport.render();
      await frames(2);
    }

    const inside = new Uint8Array(width * height);
    for (let i = 0; i < width * height; i++) {
      const r = data[4 * i];
      const g = data[4 * i + 1];
      const b = data[4 * i + 2];
      const level = (r + g + b) / 3;
      const grey = Math.max(r, g, b) - Math.min(r, g, b) < 16;
      inside[i] = grey && level >= levels[0] && level <= levels[1] ? 1 : 0;
    }
    const rect = canvas.getBoundingClientRect();
    const sx = rect.width / width;
    const sy = rect.height / height;
    const blobs = [];
    const stack: number[] = [];
    for (let start = 0; start < inside.length; start++) {
      if (inside[start] !== 1) continue;
      inside[start] = 2;
      stack.push(start);
      let area = 0;
      let sumX = 0;
      let sumY = 0;
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      while (stack.length) {
        const i = stack.pop()!;
        const x = i % width;
        const y = (i - x) / width;
        area++;
        sumX += x + 0.5;
        sumY += y + 0.5;
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
        for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width]) {
          if (j >= 0 && j < inside.length && inside[j] === 1) {
            inside[j] = 2;
            stack.push(j);
          }
        }
      }
      if (area < (minArea ?? 4)) continue;
      blobs.push({
        x: rect.x + (sumX / area) * sx,
        y: rect.y + (sumY / area) * sy,
        area,
        bbox: [rect.x + x0 * sx, rect.y + y0 * sy, rect.x + x1 * sx, rect.y + y1 * sy] as [
          number,
          number,
          number,
          number,
        ],
      });
    }
    return blobs.sort((a, b) => b.area - a.area);
  }, search);
}

/** A point in slice pixel coordinates ((0, 0) = top-left corner of the top-left pixel). */
export interface SlicePoint {
  x: number;
  y: number;
}

/** Page position as an affine function of the slice position: page = M · [x, y, 1]. */
export interface PageAffine {
  toPage(p: SlicePoint): { x: number; y: number };
}

/**
 * The affine map through three (slice position → page position) pairs, solved exactly (Cramer's rule).
 * Any on-screen view of a plane image (orthographic camera, zoom, pan, rotation, flips, unequal
 * spacing) is such a map.
 */
export function affineFrom(pairs: Array<{ slice: SlicePoint; page: { x: number; y: number } }>): PageAffine {
  if (pairs.length !== 3) throw new Error('three marker pairs are needed');
  const [a, b, c] = pairs;
  const det =
    a.slice.x * (b.slice.y - c.slice.y) -
    a.slice.y * (b.slice.x - c.slice.x) +
    (b.slice.x * c.slice.y - c.slice.x * b.slice.y);
  if (Math.abs(det) < 1e-9) throw new Error('the markers are collinear');
  const solve = (va: number, vb: number, vc: number) => {
    const m0 =
      (va * (b.slice.y - c.slice.y) - a.slice.y * (vb - vc) + (vb * c.slice.y - vc * b.slice.y)) / det;
    const m1 =
      (a.slice.x * (vb - vc) - va * (b.slice.x - c.slice.x) + (b.slice.x * vc - c.slice.x * vb)) / det;
    const m2 = va - m0 * a.slice.x - m1 * a.slice.y;
    return [m0, m1, m2];
  };
  const mx = solve(a.page.x, b.page.x, c.page.x);
  const my = solve(a.page.y, b.page.y, c.page.y);
  return {
    toPage: (p) => ({ x: mx[0] * p.x + mx[1] * p.y + mx[2], y: my[0] * p.x + my[1] * p.y + my[2] }),
  };
}

/**
 * The colour [r, g, b] of the active viewport's canvas at a page position, as rendered (image plus
 * labelmap overlay), averaged over the 3 × 3 canvas pixels around it.
 */
export function canvasColourAt(page: Page, at: { x: number; y: number }): Promise<[number, number, number]> {
  return page.evaluate(async (p) => {
    const w = window as unknown as BlobWindow;
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    if (!viewport) throw new Error('no active viewport');
    viewport.render();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const canvas = viewport.canvas;
    const rect = canvas.getBoundingClientRect();
    const cx = Math.floor(((p.x - rect.x) * canvas.width) / rect.width);
    const cy = Math.floor(((p.y - rect.y) * canvas.height) / rect.height);
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data } = ctx.getImageData(cx - 1, cy - 1, 3, 3);
    const sum = [0, 0, 0];
    for (let i = 0; i < 9; i++) for (let k = 0; k < 3; k++) sum[k] += data[4 * i + k];
    return sum.map((v) => v / 9) as [number, number, number];
  }, at);
}
