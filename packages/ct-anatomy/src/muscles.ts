/**
 * Finds the major skeletal muscle groups of a lumbar axial CT slice from the pixels, for the Skeletal
 * muscle (L3) One-Click: each group gives a box and one point inside it for SAM2.
 *
 * - Psoas (left/right): the muscle-range region touching the side of the vertebral body.
 * - Paraspinal / erector spinae (left/right): the largest muscle-range region behind the spinal canal
 *   on each side of the spinous process.
 * - Abdominal wall: rays cast inwards from the skin cross the subcutaneous fat and then the first
 *   muscle-range layer; that layer, split into angular sectors (anterior, then each side's flank), is the
 *   wall. Rays whose layer lies behind the spinal canal (back muscles) are left out.
 *
 * The vertebra comes from anatomy/vertebra.ts; without a vertebra there is no muscle rule. Image
 * convention as there: rows run anterior → posterior and columns patient right → left. Measured on the
 * reference CT by `npm run measure:prompt-rules` (docs/evaluation.md).
 */
import { findBody } from './body';
import type { Component } from './components';
import { connectedComponents } from './components';
import { dilate } from './morphology';
import type { SliceImage, VertebraFound } from './vertebra';
import { DEFAULT_VERTEBRA_RULE, findVertebra } from './vertebra';

export type MuscleGroupKind = 'psoas' | 'paraspinal' | 'abdominal-wall';

export interface MuscleGroupFound {
  kind: MuscleGroupKind;
  /** e.g. 'psoas-right', 'abdominal-wall-anterior', 'abdominal-wall-left-2'. */
  name: string;
  /** Box prompt [x0, y0, x1, y1], inclusive pixel indices, clamped to the image. */
  box: [number, number, number, number];
  /** A positive point prompt: a pixel of the found region (column, row). */
  point: [number, number];
}

export interface MuscleRuleOptions {
  /** Muscle attenuation range, HU (defaults: huRange.ts, Mitsiopoulos 1998; the viewer passes the configured range). */
  muscleMinHu: number;
  muscleMaxHu: number;
  /** Subcutaneous fat range, HU (huRange.ts). */
  fatMinHu: number;
  fatMaxHu: number;
  /** Erosion radius that cuts thin bridges between neighbouring soft tissues, mm. */
  erodeMm: number;
  /** Smallest accepted region, mm² (after erosion). */
  minAreaMm2: number;
  /**
   * A found vertebra shallower than this (front to spinous process, mm) is only its posterior elements,
   * as at an intervertebral disc (the disc is soft tissue): a lumbar vertebra is 70–100 mm deep.
   */
  minVertebraDepthMm: number;
  /** Largest psoas cross-section, mm² (after erosion; adult psoas at L3–L4 is up to about 25 cm²). */
  psoasMaxAreaMm2: number;
  /** Largest gap between the psoas and the side of the vertebral body, mm. */
  psoasMaxGapMm: number;
  /** Erosion radii tried in turn for the psoas, as multiples of erodeMm. */
  psoasErosionScales: number[];
  /** How far out beside the vertebral body the psoas is searched, in vertebral body widths. */
  psoasReach: number;
  /** How far out from the midline the paraspinal muscles are searched, mm. */
  paraspinalReachMm: number;
  /** Margin added around each region for its box, mm. */
  marginMm: number;
  /** Thickest accepted abdominal-wall layer along a ray, mm (beyond it the ray entered an organ). */
  maxWallMm: number;
  /** Thinnest accepted wall layer along a ray, mm. */
  minWallMm: number;
  /** Largest difference of a ray's wall depth (under the skin) from its sector's median, mm. */
  maxDepthJumpMm: number;
  /** Sector edges for the abdominal wall, degrees from anterior (0) towards posterior (180), per side. */
  wallSectorsDeg: number[];
}

export const DEFAULT_MUSCLE_RULE: MuscleRuleOptions = {
  muscleMinHu: -29,
  muscleMaxHu: 150,
  fatMinHu: -190,
  fatMaxHu: -30,
  erodeMm: 3,
  minAreaMm2: 80,
  minVertebraDepthMm: 55,
  psoasMaxAreaMm2: 2500,
  psoasErosionScales: [1, 2],
  psoasMaxGapMm: 6,
  psoasReach: 1.2,
  paraspinalReachMm: 90,
  marginMm: 4,
  maxWallMm: 20,
  minWallMm: 3,
  maxDepthJumpMm: 12,
  wallSectorsDeg: [0, 20, 45, 70, 95, 120, 150],
};

type Box = [number, number, number, number];

interface Frame {
  slice: SliceImage;
  muscle: Uint8Array;
  vertebra: VertebraFound;
  /** Vertebral body: anterior row, posterior row (the spinal canal's front), columns. */
  bodyTop: number;
  canalRow: number;
  /** Whether the vertebral body was found (not only the posterior elements, as at a disc level). */
  hasBody: boolean;
  /** The vertebra's posterior edge (tip of the spinous process), row. */
  vertebraBottom: number;
  bodyLeftX: number;
  bodyRightX: number;
  midline: number;
  body: Component;
  bodyLabels: Int32Array;
}

/**
 * The muscle groups found on the slice (empty when there is no vertebra or no muscle: then nothing
 * must be written). `vertebra` may be passed when already found.
 */
export function findMuscleGroups(
  slice: SliceImage,
  options: MuscleRuleOptions = DEFAULT_MUSCLE_RULE,
  vertebra: VertebraFound | undefined = findVertebra(slice),
): MuscleGroupFound[] {
  if (!vertebra) return [];
  const frame = makeFrame(slice, vertebra, options);
  if (!frame) return [];
  const out: MuscleGroupFound[] = [];
  // Only the posterior elements found (an intervertebral disc level): no vertebral body to anchor the psoas.
  for (const side of frame.hasBody ? (['right', 'left'] as const) : []) {
    const psoas = findRegion(frame, psoasWindow(frame, side, options), options, 'nearest', side);
    if (psoas) out.push({ kind: 'psoas', name: `psoas-${side}`, ...psoas });
  }
  for (const side of ['right', 'left'] as const) {
    const para = findRegion(frame, paraspinalWindow(frame, side, options), options, 'lamina', side);
    if (para) out.push({ kind: 'paraspinal', name: `paraspinal-${side}`, ...para });
  }
  out.push(...abdominalWall(frame, options));
  return out;
}

function makeFrame(slice: SliceImage, vertebra: VertebraFound, o: MuscleRuleOptions): Frame | undefined {
  const { hu, width, height, columnMm } = slice;
  const found = findBody(hu, width, height);
  if (!found) return undefined;
  const bodyMask = new Uint8Array(width * height);
  for (let i = 0; i < bodyMask.length; i++) bodyMask[i] = hu[i] >= -500 ? 1 : 0;
  const { labels } = connectedComponents(bodyMask, width, height);
  const muscle = new Uint8Array(width * height);
  for (let i = 0; i < muscle.length; i++)
    muscle[i] = labels[i] === found.label && hu[i] >= o.muscleMinHu && hu[i] <= o.muscleMaxHu ? 1 : 0;
  const margin = DEFAULT_VERTEBRA_RULE.marginMm / columnMm;
  const [vx0, vy0, vx1, vy1] = vertebra.box.map((v, i) => (i < 2 ? v + margin : v - margin));
  const midline = vertebra.component.cx;
  const hasBody = (vy1 - vy0) * slice.rowMm >= o.minVertebraDepthMm;
  const canalRow = hasBody
    ? spinalCanalRow(slice, Math.round(midline), Math.round(vy0), Math.round(vy1))
    : Math.round(vy0);
  // The vertebral body's sides: the outermost bone columns between its front and the canal.
  let bodyLeftX = Math.round(midline);
  let bodyRightX = Math.round(midline);
  for (let y = Math.round(vy0); y < canalRow; y++)
    for (let x = Math.round(vx0); x <= Math.round(vx1); x++)
      if (hu[y * width + x] >= DEFAULT_VERTEBRA_RULE.boneMinHu) {
        bodyRightX = Math.min(bodyRightX, x);
        bodyLeftX = Math.max(bodyLeftX, x);
      }
  return {
    slice,
    muscle,
    vertebra,
    bodyTop: Math.round(vy0),
    canalRow,
    hasBody,
    vertebraBottom: Math.round(vy1),
    bodyLeftX,
    bodyRightX,
    midline,
    body: found,
    bodyLabels: labels,
  };
}

/**
 * The front row of the spinal canal: down the vertebra's midline column, the first row below the
 * vertebral body's bone that is not bone. Falls back to 45 % of the vertebra's depth (a lumbar body is
 * about 35 mm deep of a vertebra about 80 mm deep) when the canal is not seen.
 */
function spinalCanalRow(slice: SliceImage, x: number, y0: number, y1: number): number {
  const bone = (y: number) => {
    // The median of three columns: one dark pixel in the cancellous bone is no canal.
    const v = [-1, 0, 1].map(
      (d) => slice.hu[y * slice.width + Math.min(slice.width - 1, Math.max(0, x + d))],
    );
    return v.sort((a, b) => a - b)[1] >= DEFAULT_VERTEBRA_RULE.boneMinHu;
  };
  let y = y0;
  while (y <= y1 && !bone(y)) y++;
  const start = y;
  while (y <= y1 && bone(y)) y++;
  const fallback = Math.round(y0 + 0.45 * (y1 - y0));
  return y > start && y <= y1 && y - y0 <= 0.7 * (y1 - y0) && y - y0 >= 0.2 * (y1 - y0) ? y : fallback;
}

function psoasWindow(f: Frame, side: 'right' | 'left', o: MuscleRuleOptions): Box {
  const { columnMm, rowMm } = f.slice;
  const reach = o.psoasReach * (f.bodyLeftX - f.bodyRightX + 1);
  const slack = 12 / rowMm;
  // Patient right is image left (smaller columns).
  return side === 'right'
    ? [f.bodyRightX - reach, f.bodyTop - slack, f.bodyRightX + 3 / columnMm, f.canalRow + slack]
    : [f.bodyLeftX - 3 / columnMm, f.bodyTop - slack, f.bodyLeftX + reach, f.canalRow + slack];
}

function paraspinalWindow(f: Frame, side: 'right' | 'left', o: MuscleRuleOptions): Box {
  const reach = o.paraspinalReachMm / f.slice.columnMm;
  const bottom = f.body.bbox[3];
  return side === 'right'
    ? [f.midline - reach, f.canalRow, f.midline, bottom]
    : [f.midline, f.canalRow, f.midline + reach, bottom];
}

/**
 * The muscle region in `window`: muscle pixels eroded (to cut bridges to neighbours), split into
 * components, the chosen one (nearest the vertebral body, or the largest) grown back into the muscle
 * pixels within the erosion radius. Its bounding box plus the margin, and its pixel nearest its centre.
 */
function findRegion(
  f: Frame,
  window: Box,
  o: MuscleRuleOptions,
  choose: 'nearest' | 'lamina',
  side: 'right' | 'left',
): { box: Box; point: [number, number] } | undefined {
  const { width, height, rowMm, columnMm } = f.slice;
  const [wx0, wy0, wx1, wy1] = clampBox(window, width, height);
  if (wx1 <= wx0 || wy1 <= wy0) return undefined;
  const ww = wx1 - wx0 + 1;
  const wh = wy1 - wy0 + 1;
  const local = new Uint8Array(ww * wh);
  for (let y = 0; y < wh; y++)
    for (let x = 0; x < ww; x++) local[y * ww + x] = f.muscle[(y + wy0) * width + x + wx0];
  // The psoas may touch a neighbour (kidney, bowel): a stronger erosion then parts them.
  const scales = choose === 'nearest' ? o.psoasErosionScales : [1];
  let chosen: { best: Component; labels: Int32Array; rx: number; ry: number } | undefined;
  for (const scale of scales) {
    chosen = chooseRegion(f, local, [wx0, wy0, ww, wh], o, choose, side, scale);
    if (chosen) break;
  }
  if (!chosen) return undefined;
  const { best, labels, rx, ry } = chosen;
  const grown = dilate(labelMask(labels, best.label), ww, wh, rx, ry);
  let box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < wh; y++)
    for (let x = 0; x < ww; x++) {
      if (!grown[y * ww + x] || !local[y * ww + x]) continue;
      box = [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
    }
  const point = nearestPixel(labels, best, ww);
  const mx = o.marginMm / columnMm;
  const my = o.marginMm / rowMm;
  return {
    box: clampBox(
      [box[0] + wx0 - mx, box[1] + wy0 - my, box[2] + wx0 + mx, box[3] + wy0 + my],
      width,
      height,
    ),
    point: [point[0] + wx0, point[1] + wy0],
  };
}

/** One erosion scale: the muscle components of the window and the one chosen, or undefined. */
function chooseRegion(
  f: Frame,
  local: Uint8Array,
  [wx0, wy0, ww, wh]: [number, number, number, number],
  o: MuscleRuleOptions,
  choose: 'nearest' | 'lamina',
  side: 'right' | 'left',
  scale: number,
): { best: Component; labels: Int32Array; rx: number; ry: number } | undefined {
  const { rowMm, columnMm } = f.slice;
  const rx = Math.max(1, Math.round((scale * o.erodeMm) / columnMm));
  const ry = Math.max(1, Math.round((scale * o.erodeMm) / rowMm));
  const eroded = erode(local, ww, wh, rx, ry);
  const { components, labels } = connectedComponents(eroded, ww, wh);
  const minArea = o.minAreaMm2 / (rowMm * columnMm);
  // A region wholly inside the vertebra's box is the spinal canal's content (CSF is in muscle range).
  const [vx0, vy0, vx1, vy1] = f.vertebra.component.bbox;
  const inVertebra = (c: Component) =>
    c.bbox[0] + wx0 >= vx0 && c.bbox[2] + wx0 <= vx1 && c.bbox[1] + wy0 >= vy0 && c.bbox[3] + wy0 <= vy1;
  // The psoas is a discrete muscle beside the vertebral body, wrapped in fat: a region running on past
  // the window's outer or front edge is an organ (liver, spleen, kidney, bowel) lying there instead.
  const maxArea = o.psoasMaxAreaMm2 / (rowMm * columnMm);
  const organ = (c: Component) =>
    choose === 'nearest' &&
    (c.area > maxArea || c.bbox[1] === 0 || (side === 'right' ? c.bbox[0] === 0 : c.bbox[2] === ww - 1));
  // The psoas arises from the side of the vertebral bodies: a region apart from it (kidney, adrenal,
  // bowel) is not the psoas.
  const edgeX = (side === 'right' ? f.bodyRightX : f.bodyLeftX) - wx0;
  const apart = (c: Component) => {
    if (choose !== 'nearest') return false;
    const innerX = side === 'right' ? c.bbox[2] : c.bbox[0];
    const gapMm = Math.abs(innerX - edgeX) * columnMm - scale * o.erodeMm;
    const rowsOverlap = c.bbox[1] + wy0 <= f.canalRow && c.bbox[3] + wy0 >= f.bodyTop;
    return gapMm > o.psoasMaxGapMm || !rowsOverlap;
  };
  const candidates = components.filter((c) => c.area >= minArea && !inVertebra(c) && !organ(c) && !apart(c));
  if (!candidates.length) return undefined;
  // Psoas: the region nearest the vertebral body's side (its inner edge), a larger one winning ties.
  const centreY = (f.bodyTop + f.canalRow) / 2 - wy0;
  const distance = (c: Component) => {
    const innerX = side === 'right' ? c.bbox[2] : c.bbox[0];
    return (
      Math.hypot((innerX - edgeX) * columnMm, (c.cy - centreY) * rowMm) -
      Math.sqrt(c.area * rowMm * columnMm) / 2
    );
  };
  // Paraspinal: the region nearest the lamina (beside the spinous process, behind the canal).
  const laminaX = f.midline - wx0;
  const laminaY = (f.canalRow + f.vertebraBottom) / 2 - wy0;
  const fromLamina = (c: Component) =>
    nearestDistance(labels, c, ww, laminaX, laminaY, columnMm, rowMm) -
    Math.sqrt(c.area * rowMm * columnMm) / 4;
  const score = choose === 'lamina' ? fromLamina : distance;
  const best = candidates.reduce((a, b) => (score(b) < score(a) ? b : a));
  return { best, labels, rx, ry };
}

/**
 * The abdominal wall: along rays from the body's centre, walking inwards from the skin, the first
 * muscle-range layer after subcutaneous fat, of wall thickness. Layers are grouped by the ray's angle
 * into sectors (the anterior one spanning the midline, then each flank's); each sector with enough
 * wall gives a box and a point.
 */
function abdominalWall(f: Frame, o: MuscleRuleOptions): MuscleGroupFound[] {
  const { width, height, hu, rowMm, columnMm } = f.slice;
  const sectors = o.wallSectorsDeg;
  const cx = f.body.cx;
  const cy = f.body.cy;
  const step = Math.min(rowMm, columnMm) / 2;
  const groups = new Map<string, { depth: number; pixels: [number, number][] }[]>();
  for (let deg = -180; deg < 180; deg += 1) {
    const side = deg < 0 ? 'right' : 'left';
    const from = Math.abs(deg);
    let sector = -1;
    for (let s = 0; s + 1 < sectors.length; s++) if (from >= sectors[s] && from < sectors[s + 1]) sector = s;
    if (sector < 0) continue;
    const name = sector === 0 ? 'abdominal-wall-anterior' : `abdominal-wall-${side}-${sector}`;
    // Direction in mm: anterior is −row, patient left is +column.
    const t = (deg * Math.PI) / 180;
    const dxMm = Math.sin(t);
    const dyMm = -Math.cos(t);
    const pixelAt = (r: number): [number, number] => [
      Math.round(cx + (r * dxMm) / columnMm),
      Math.round(cy + (r * dyMm) / rowMm),
    ];
    const inBody = (p: [number, number]) =>
      p[0] >= 0 &&
      p[1] >= 0 &&
      p[0] < width &&
      p[1] < height &&
      f.bodyLabels[p[1] * width + p[0]] === f.body.label;
    // The skin: the outermost body pixel along the ray.
    let r = 0;
    let edge = -1;
    for (; ; r += step) {
      const p = pixelAt(r);
      if (p[0] < 0 || p[1] < 0 || p[0] >= width || p[1] >= height) break;
      if (inBody(p)) edge = r;
    }
    if (edge < 0) continue;
    const layer = wallLayer(edge, step, (q) => hu[pixelAt(q)[1] * width + pixelAt(q)[0]], o);
    if (!layer) continue;
    const pixels: [number, number][] = [];
    for (let q = layer[0]; q >= layer[1]; q -= step) pixels.push(pixelAt(q));
    // Behind the spinal canal are the back muscles, not the wall.
    if (pixels.some((p) => p[1] >= f.canalRow)) continue;
    const rays = groups.get(name) ?? [];
    rays.push({ depth: edge - layer[0], pixels });
    groups.set(name, rays);
  }
  const minPixels = o.minAreaMm2 / Math.min(rowMm, columnMm) / step;
  const out: MuscleGroupFound[] = [];
  for (const [name, rays] of groups) {
    // The wall runs at a steady depth under the fat; a ray much deeper passed a gap in the wall (the
    // linea alba, a thin spot) and hit bowel or an organ.
    const depths = rays.map((r) => r.depth).sort((a, b) => a - b);
    const median = depths[Math.floor(depths.length / 2)];
    const kept = rays.filter((r) => Math.abs(r.depth - median) <= o.maxDepthJumpMm);
    const g = {
      xs: kept.flatMap((r) => r.pixels.map((p) => p[0])),
      ys: kept.flatMap((r) => r.pixels.map((p) => p[1])),
    };
    if (g.xs.length < minPixels) continue;
    const mx = o.marginMm / columnMm;
    const my = o.marginMm / rowMm;
    const box = clampBox(
      [Math.min(...g.xs) - mx, Math.min(...g.ys) - my, Math.max(...g.xs) + mx, Math.max(...g.ys) + my],
      width,
      height,
    );
    const mid = Math.floor(g.xs.length / 2);
    out.push({ kind: 'abdominal-wall', name, box, point: [g.xs[mid], g.ys[mid]] });
  }
  return out;
}

/**
 * Walking inwards from the skin at distance `edge` (mm from the centre): skin, then subcutaneous fat
 * (at least one sample), then the muscle layer. Returns its outer and inner distance, or undefined
 * when there is no fat-then-muscle sequence or the layer is too thin or too thick (an organ).
 */
function wallLayer(
  edge: number,
  step: number,
  huAt: (r: number) => number,
  o: MuscleRuleOptions,
): [number, number] | undefined {
  const isFat = (v: number) => v >= o.fatMinHu && v <= o.fatMaxHu;
  const isMuscle = (v: number) => v >= o.muscleMinHu && v <= o.muscleMaxHu;
  let r = edge;
  // Skin (≤ 6 mm), then fat.
  while (r > 0 && edge - r <= 6 && !isFat(huAt(r))) r -= step;
  if (!isFat(huAt(r))) return undefined;
  while (r > 0 && isFat(huAt(r))) r -= step;
  if (!isMuscle(huAt(r))) return undefined;
  const outer = r;
  while (r > 0 && isMuscle(huAt(r))) r -= step;
  const thickness = outer - r;
  if (thickness < o.minWallMm || thickness > o.maxWallMm) return undefined;
  return [outer, r + step];
}

function labelMask(labels: Int32Array, label: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] === label ? 1 : 0;
  return out;
}

/** Distance (mm) from (x, y) to the component's nearest pixel. */
function nearestDistance(
  labels: Int32Array,
  c: Component,
  width: number,
  x: number,
  y: number,
  columnMm: number,
  rowMm: number,
): number {
  let best = Infinity;
  for (let py = c.bbox[1]; py <= c.bbox[3]; py++)
    for (let px = c.bbox[0]; px <= c.bbox[2]; px++)
      if (labels[py * width + px] === c.label)
        best = Math.min(best, Math.hypot((px - x) * columnMm, (py - y) * rowMm));
  return best;
}

/** The component's pixel nearest its centroid (a point inside a concave region too). */
function nearestPixel(labels: Int32Array, c: Component, width: number): [number, number] {
  let best: [number, number] = [c.bbox[0], c.bbox[1]];
  let bestD = Infinity;
  for (let y = c.bbox[1]; y <= c.bbox[3]; y++)
    for (let x = c.bbox[0]; x <= c.bbox[2]; x++) {
      if (labels[y * width + x] !== c.label) continue;
      const d = (x - c.cx) ** 2 + (y - c.cy) ** 2;
      if (d < bestD) {
        bestD = d;
        best = [x, y];
      }
    }
  return best;
}

function clampBox(b: Box, width: number, height: number): Box {
  return [
    Math.max(0, Math.floor(b[0])),
    Math.max(0, Math.floor(b[1])),
    Math.min(width - 1, Math.ceil(b[2])),
    Math.min(height - 1, Math.ceil(b[3])),
  ];
}

/** Binary erosion by a (2rx+1)×(2ry+1) rectangle: the complement's dilation. */
function erode(mask: Uint8Array, width: number, height: number, rx: number, ry: number): Uint8Array {
  const inverse = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) inverse[i] = mask[i] ? 0 : 1;
  const grown = dilate(inverse, width, height, rx, ry);
  for (let i = 0; i < mask.length; i++) grown[i] = grown[i] ? 0 : 1;
  return grown;
}
