/**
 * Finds the vertebra on an axial CT slice from the pixels alone, for the L3 vertebra One-Click: the
 * compact high-HU component nearest the body's left-right midline, in the posterior part of the body
 * (behind the aorta), of a vertebra's size. Works for any vertebral level; the returned box is the
 * prompt SAM2 gets.
 *
 * Image convention: rows run anterior → posterior and columns patient right → left (the standard
 * axial display of an HFS scan, as the viewer shows it).
 */
import { findBody } from './body';
import type { Component } from './components';
import { connectedComponents } from './components';
import { dilate } from './morphology';

export interface VertebraRuleOptions {
  /** Bone threshold, HU. Cortical bone is > 400 HU and cancellous bone of an adult vertebra mostly > 150 (sweep on the reference CT: docs/user-guide.md). */
  boneMinHu: number;
  /** Accepted component area, mm² (an L3 with its posterior elements is ~1,500–4,000 mm²). */
  minAreaMm2: number;
  maxAreaMm2: number;
  /** Largest accepted distance of the component's centre from the midline, as a fraction of body width. */
  maxMidlineOffset: number;
  /** The centre must lie behind this fraction of the body's anteroposterior extent (0 = front). */
  minPosteriorFraction: number;
  /** Margin added around the component for the box, mm. */
  marginMm: number;
  /**
   * Gaps bridged when grouping bone into one structure, mm: the vertebral body and its posterior
   * elements are joined by thin pedicles that partial volume can break at the bone threshold.
   */
  bridgeMm: number;
  /**
   * Anterior rows whose bone lies off the group's own midline by more than this fraction of its
   * width are dropped: that is the contrast-filled aorta (left-anterior) joined to the vertebral body.
   */
  maxAnteriorShiftFraction: number;
}

export const DEFAULT_VERTEBRA_RULE: VertebraRuleOptions = {
  boneMinHu: 150,
  minAreaMm2: 300,
  maxAreaMm2: 9000,
  maxMidlineOffset: 0.12,
  minPosteriorFraction: 0.45,
  marginMm: 3,
  bridgeMm: 6,
  maxAnteriorShiftFraction: 0.15,
};

export interface SliceImage {
  /** Modality values (HU), row-major width×height. */
  hu: ArrayLike<number>;
  width: number;
  height: number;
  /** DICOM Pixel Spacing: between rows and between columns, mm. */
  rowMm: number;
  columnMm: number;
}

export interface VertebraFound {
  /** Box prompt [x0, y0, x1, y1] in pixel coordinates (pixel centres), clamped to the image. */
  box: [number, number, number, number];
  component: Component;
}

/** The vertebra's box, or undefined when no component fits the rule (then nothing must be written). */
export function findVertebra(
  slice: SliceImage,
  options: VertebraRuleOptions = DEFAULT_VERTEBRA_RULE,
): VertebraFound | undefined {
  const { hu, width, height, rowMm, columnMm } = slice;
  const body = findBody(hu, width, height);
  if (!body) return undefined;
  const [bx0, by0, bx1, by1] = body.bbox;
  const midline = (bx0 + bx1) / 2;
  const bodyWidth = bx1 - bx0 + 1;
  const bodyDepth = by1 - by0 + 1;
  const bone = new Uint8Array(width * height);
  for (let y = by0; y <= by1; y++)
    for (let x = bx0; x <= bx1; x++) {
      const i = y * width + x;
      bone[i] = hu[i] >= options.boneMinHu ? 1 : 0;
    }
  const pixelMm2 = rowMm * columnMm;
  const grouped = dilate(
    bone,
    width,
    height,
    Math.round(options.bridgeMm / columnMm),
    Math.round(options.bridgeMm / rowMm),
  );
  const { components, labels } = connectedComponents(grouped, width, height);
  // Area, centre and box from the bone pixels of each group (not the bridged ones).
  const groups = components.map((c) => boneOf(c, labels, bone, width));
  const candidates = groups.filter((c): c is Component => {
    if (!c) return false;
    const areaMm2 = c.area * pixelMm2;
    return (
      areaMm2 >= options.minAreaMm2 &&
      areaMm2 <= options.maxAreaMm2 &&
      Math.abs(c.cx - midline) <= options.maxMidlineOffset * bodyWidth &&
      c.cy >= by0 + options.minPosteriorFraction * bodyDepth
    );
  });
  if (!candidates.length) return undefined;
  // Nearest the midline; a larger component wins near-ties (the vertebra over a calcified vessel).
  const score = (c: Component) => Math.abs(c.cx - midline) * columnMm - Math.sqrt(c.area * pixelMm2) / 4;
  const best = candidates.reduce((a, b) => (score(b) < score(a) ? b : a));
  const mx = options.marginMm / columnMm;
  const my = options.marginMm / rowMm;
  const [x0, , x1, y1] = best.bbox;
  const y0 = anteriorEdge(best, labels, bone, width, options.maxAnteriorShiftFraction);
  return {
    box: [
      Math.max(0, Math.floor(x0 - mx)),
      Math.max(0, Math.floor(y0 - my)),
      Math.min(width - 1, Math.ceil(x1 + mx)),
      Math.min(height - 1, Math.ceil(y1 + my)),
    ],
    component: best,
  };
}

/** The bone pixels of a bridged group as a component (undefined when it holds none). */
function boneOf(
  group: Component,
  labels: Int32Array,
  bone: Uint8Array,
  width: number,
): Component | undefined {
  let area = 0;
  let sx = 0;
  let sy = 0;
  let box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  const [gx0, gy0, gx1, gy1] = group.bbox;
  for (let y = gy0; y <= gy1; y++)
    for (let x = gx0; x <= gx1; x++) {
      const i = y * width + x;
      if (labels[i] !== group.label || !bone[i]) continue;
      area++;
      sx += x;
      sy += y;
      box = [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
    }
  return area ? { label: group.label, area, bbox: box, cx: sx / area, cy: sy / area } : undefined;
}

/**
 * The first row (from the front) of the group that belongs to the vertebral body: rows are skipped
 * while their bone is centred off the group's midline (the aorta lies left-anterior of the body) or
 * is thin (under 15 % of the group's widest row).
 */
function anteriorEdge(
  group: Component,
  labels: Int32Array,
  bone: Uint8Array,
  width: number,
  maxShiftFraction: number,
): number {
  const [x0, y0, x1, y1] = group.bbox;
  const counts: number[] = [];
  const centres: number[] = [];
  for (let y = y0; y <= y1; y++) {
    let n = 0;
    let sx = 0;
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      if (labels[i] === group.label && bone[i]) {
        n++;
        sx += x;
      }
    }
    counts.push(n);
    centres.push(n ? sx / n : NaN);
  }
  const widest = Math.max(...counts);
  const maxShift = maxShiftFraction * (x1 - x0 + 1);
  let row = 0;
  while (
    row < counts.length - 1 &&
    (counts[row] < 0.15 * widest || Math.abs(centres[row] - group.cx) > maxShift)
  )
    row++;
  return y0 + row;
}
