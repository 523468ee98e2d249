/**
 * The geometry of one image plane (DICOM PS3.3 C.7.6.2, Image Plane Module) and the conversion between
 * patient (world) coordinates in mm and the service's prompt coordinates in pixels.
 *
 * DICOM PS3.3 C.7.6.2.1.1:
 * - ImagePositionPatient (0020,0032) is the centre of the first transmitted pixel (column 0, row 0).
 * - ImageOrientationPatient (0020,0037) holds the row direction cosines (the direction of increasing
 *   column index, "left to right" on screen) then the column direction cosines (increasing row index,
 *   "top to bottom").
 * - PixelSpacing (0028,0030) is [row spacing, column spacing]: PixelSpacing[0] is the distance between
 *   the centres of adjacent ROWS (the vertical size of a pixel), PixelSpacing[1] between adjacent
 *   COLUMNS (the horizontal size).
 * So the centre of pixel (column c, row r) lies at
 *   P(c, r) = IPP + c · PixelSpacing[1] · rowCosines + r · PixelSpacing[0] · columnCosines,
 * which is also how Cornerstone's renderer places the image (vtkImageData origin = IPP, spacing =
 * [PixelSpacing[1], PixelSpacing[0]], direction = [rowCosines, columnCosines, normal]).
 *
 * Prompt coordinates (docs/api.md "Prompts") put (0, 0) at the top-left CORNER of the top-left pixel,
 * so the centre of pixel (c, r) is (c + 0.5, r + 0.5).
 */
import type { Point3 } from '../host/types';

export interface ImagePlane {
  /** Centre of the first pixel (column 0, row 0) in patient coordinates, mm (ImagePositionPatient). */
  imagePositionPatient: Point3;
  /** Unit vector along a row: the direction of increasing column index (IOP[0..2]). */
  rowCosines: Point3;
  /** Unit vector along a column: the direction of increasing row index (IOP[3..5]). */
  columnCosines: Point3;
  /** PixelSpacing[0]: distance between adjacent rows, mm (vertical pixel size). */
  rowSpacing: number;
  /** PixelSpacing[1]: distance between adjacent columns, mm (horizontal pixel size). */
  columnSpacing: number;
  rows: number;
  columns: number;
}

/** A position in prompt coordinates: x along the row (columns), y down the column (rows), in pixels. */
export interface PromptPosition {
  x: number;
  y: number;
}

export class ImagePlaneError extends Error {}

type Vec3 = readonly [number, number, number];

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Arrays and typed arrays (Cornerstone keeps IOP in a Float32Array) as numbers. */
function numbers(value: unknown): number[] | undefined {
  if (!value || typeof value !== 'object' || typeof (value as ArrayLike<unknown>).length !== 'number')
    return undefined;
  return Array.from(value as ArrayLike<unknown>, Number);
}

function vec3(value: unknown): Point3 | undefined {
  const a = numbers(value);
  return a && a.length === 3 && a.every(Number.isFinite) ? [a[0], a[1], a[2]] : undefined;
}

function positive(value: unknown): number | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The plane from Cornerstone's `imagePlaneModule` metadata of an image, with the renderer's defaults for
 * missing fields (Cornerstone's buildMetadata: spacing 1 mm, row cosines [1, 0, 0], column cosines
 * [0, 1, 0], position [0, 0, 0]). Cornerstone names PixelSpacing[0] `rowPixelSpacing` and PixelSpacing[1]
 * `columnPixelSpacing` (the DICOM meaning above). `size` is the image's columns × rows.
 */
export function planeFromImagePlaneModule(
  module: Record<string, unknown> | undefined,
  size: { columns: number; rows: number },
): ImagePlane {
  const m = module ?? {};
  const iop = numbers(m.imageOrientationPatient);
  const pixelSpacing = numbers(m.pixelSpacing);
  return {
    imagePositionPatient: vec3(m.imagePositionPatient) ?? [0, 0, 0],
    rowCosines: vec3(m.rowCosines) ?? vec3(iop?.slice(0, 3)) ?? [1, 0, 0],
    columnCosines: vec3(m.columnCosines) ?? vec3(iop?.slice(3, 6)) ?? [0, 1, 0],
    rowSpacing: positive(m.rowPixelSpacing) ?? positive(pixelSpacing?.[0]) ?? 1,
    columnSpacing: positive(m.columnPixelSpacing) ?? positive(pixelSpacing?.[1]) ?? 1,
    rows: size.rows,
    columns: size.columns,
  };
}

/**
 * The plane of slice `k` of a volume as Cornerstone renders it in a volume (MPR) viewport: voxel (i, j, k)
 * lies at origin + i · spacing[0] · direction[0..2] + j · spacing[1] · direction[3..5] + k · spacing[2] ·
 * direction[6..8] (Cornerstone's generateVolumePropsFromImageIds: spacing = [PixelSpacing[1],
 * PixelSpacing[0], slice spacing], direction = [row cosines, column cosines, normal], origin = IPP of the
 * first slice). For a regular series this is the slice's own Image Plane; it differs when a slice's IPP is
 * off the line the volume assumes, and then this is what the user sees.
 * @returns undefined when the volume's matrix is not `size` or its arrays are incomplete.
 */
export function planeFromVolumeSlice(
  volume: { origin: ArrayLike<number>; direction: ArrayLike<number>; spacing: ArrayLike<number> },
  k: number,
  size: { columns: number; rows: number },
): ImagePlane | undefined {
  const origin = vec3(volume.origin);
  const d = numbers(volume.direction);
  const s = numbers(volume.spacing);
  if (!origin || !d || d.length !== 9 || !s || s.length !== 3 || !s.every((v) => v > 0)) return undefined;
  const normal = [d[6], d[7], d[8]];
  return {
    imagePositionPatient: [0, 1, 2].map((i) => origin[i] + k * s[2] * normal[i]) as Point3,
    rowCosines: [d[0], d[1], d[2]],
    columnCosines: [d[3], d[4], d[5]],
    rowSpacing: s[1],
    columnSpacing: s[0],
    rows: size.rows,
    columns: size.columns,
  };
}

/**
 * Patient coordinates (mm) → prompt coordinates (pixels, (0, 0) = top-left corner of the image). The
 * point is projected onto the plane along its normal. Solves
 *   world − IPP = u · rowCosines + v · columnCosines (+ normal part)
 * for (u, v) in mm through the 2 × 2 Gram system, which is exact also when the stored cosines are not
 * perfectly orthonormal (the renderer inverts the same matrix), then x = u / PixelSpacing[1] + 0.5,
 * y = v / PixelSpacing[0] + 0.5.
 * @throws ImagePlaneError when the cosines are parallel or zero (no plane).
 */
export function worldToPrompt(plane: ImagePlane, world: Point3): PromptPosition {
  const r = plane.rowCosines;
  const c = plane.columnCosines;
  const p = plane.imagePositionPatient;
  const d: Vec3 = [world[0] - p[0], world[1] - p[1], world[2] - p[2]];
  const rr = dot(r, r);
  const cc = dot(c, c);
  const rc = dot(r, c);
  const det = rr * cc - rc * rc;
  if (!(Math.abs(det) > 1e-12)) throw new ImagePlaneError('ImageOrientationPatient does not span a plane');
  const dr = dot(d, r);
  const dc = dot(d, c);
  const u = (dr * cc - dc * rc) / det;
  const v = (dc * rr - dr * rc) / det;
  return { x: u / plane.columnSpacing + 0.5, y: v / plane.rowSpacing + 0.5 };
}

/** Prompt coordinates (pixels) → patient coordinates (mm): the inverse of worldToPrompt on the plane. */
export function promptToWorld(plane: ImagePlane, point: PromptPosition): Point3 {
  const u = (point.x - 0.5) * plane.columnSpacing;
  const v = (point.y - 0.5) * plane.rowSpacing;
  const { imagePositionPatient: p, rowCosines: r, columnCosines: c } = plane;
  return [p[0] + u * r[0] + v * c[0], p[1] + u * r[1] + v * c[1], p[2] + u * r[2] + v * c[2]];
}

/** Whether a prompt position lies on the image: 0 ≤ x ≤ columns and 0 ≤ y ≤ rows (edges included). */
export function isInsideImage(plane: Pick<ImagePlane, 'rows' | 'columns'>, point: PromptPosition): boolean {
  return point.x >= 0 && point.y >= 0 && point.x <= plane.columns && point.y <= plane.rows;
}
