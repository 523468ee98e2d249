/**
 * Prompts simulated from the reference mask, as a user would give them (the protocol of the SAM/SAM2
 * medical evaluations, e.g. Ma et al., MedSAM, Nat Commun 15:654, 2024: box = the reference's bounding
 * box with a random shift of each side; point = one positive click inside the structure):
 *
 * - box: the bounding box of the reference in pixel-edge coordinates ([x0, y0, x1, y1], x1 = last
 *   column + 1), each side moved independently by a whole number of pixels drawn uniformly from
 *   [−J, J], J = min(`maxJitterPx`, round(10 % of that side's box extent)), kept inside the image and
 *   at least one pixel wide;
 * - point: the inside pixel farthest from the structure's edge (largest inscribed circle, found with the
 *   exact distance transform; the first such pixel in row order on ties), clicked at its centre.
 */
import { distanceToFeature } from './distance';

/**
 * `context-one-click`: the viewer's One-Click in the structure's context (oneClick.ts);
 * `automatic`: no prompt (the service's automatic mode), the mask under the image centre.
 */
export type PromptStyle = 'box' | 'point' | 'box+point' | 'context-one-click' | 'automatic';
export const PROMPT_STYLES: readonly PromptStyle[] = [
  'box',
  'point',
  'box+point',
  'context-one-click',
  'automatic',
];
/** Run when --prompts is not given. */
export const DEFAULT_PROMPT_STYLES: readonly PromptStyle[] = [
  'box',
  'point',
  'box+point',
  'context-one-click',
];

export type Box = [number, number, number, number];
export interface Point {
  x: number;
  y: number;
  label: 0 | 1;
}

/** Tight bounding box in pixel-edge coordinates, or undefined for an empty mask. */
export function boundingBox(mask: Uint8Array, columns: number, rows: number): Box | undefined {
  let x0 = columns;
  let y0 = rows;
  let x1 = -1;
  let y1 = -1;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      if (!mask[j * columns + i]) continue;
      if (i < x0) x0 = i;
      if (i > x1) x1 = i;
      if (j < y0) y0 = j;
      if (j > y1) y1 = j;
    }
  }
  return x1 < 0 ? undefined : [x0, y0, x1 + 1, y1 + 1];
}

export function jitteredBox(
  box: Box,
  columns: number,
  rows: number,
  random: () => number,
  maxJitterPx = 5,
): Box {
  const jitter = (extent: number) => {
    const j = Math.min(maxJitterPx, Math.round(0.1 * extent));
    return Math.floor(random() * (2 * j + 1)) - j;
  };
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  let x0 = clamp(box[0] + jitter(w), columns - 1);
  let y0 = clamp(box[1] + jitter(h), rows - 1);
  let x1 = clamp(box[2] + jitter(w), columns);
  let y1 = clamp(box[3] + jitter(h), rows);
  if (x1 <= x0) [x0, x1] = [Math.min(box[0], columns - 1), Math.max(box[2], box[0] + 1)];
  if (y1 <= y0) [y0, y1] = [Math.min(box[1], rows - 1), Math.max(box[3], box[1] + 1)];
  return [x0, y0, x1, y1];
}

/** The inside pixel centre farthest from the outside (in mm), or undefined for an empty mask. */
export function interiorPoint(
  mask: Uint8Array,
  columns: number,
  rows: number,
  spacing: { column: number; row: number },
): Point | undefined {
  const outside = new Uint8Array(mask.length);
  for (let v = 0; v < mask.length; v++) outside[v] = mask[v] ? 0 : 1;
  const distance = distanceToFeature(outside, columns, rows, spacing);
  let best = -1;
  let bestDistance = -1;
  for (let v = 0; v < mask.length; v++) {
    if (!mask[v]) continue;
    // A mask touching the image edge: the edge counts as outside too.
    const i = v % columns;
    const j = Math.floor(v / columns);
    const toEdge = Math.min(
      (i + 1) * spacing.column,
      (columns - i) * spacing.column,
      (j + 1) * spacing.row,
      (rows - j) * spacing.row,
    );
    const d = Math.min(distance[v], toEdge);
    if (best < 0 || d > bestDistance) {
      best = v;
      bestDistance = d;
    }
  }
  return best < 0 ? undefined : { x: (best % columns) + 0.5, y: Math.floor(best / columns) + 0.5, label: 1 };
}
