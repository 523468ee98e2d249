/** Where a slice lies: its position along the slice normal, from the DICOM image plane (PS3.3 C.7.6.2). */

type Vec3 = readonly [number, number, number];

function asVec3(value: unknown): Vec3 | undefined {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return undefined;
  const v = Array.from(value as ArrayLike<unknown>, Number);
  return v.length === 3 && v.every(Number.isFinite) ? [v[0], v[1], v[2]] : undefined;
}

/**
 * Slice position in mm: ImagePositionPatient · (row direction × column direction), i.e. the distance
 * of the slice from the patient origin along its normal (for an axial HFS slice, its z). Undefined
 * when the plane is not fully described.
 */
export function slicePositionMm(
  imagePositionPatient: unknown,
  rowCosines: unknown,
  columnCosines: unknown,
): number | undefined {
  const p = asVec3(imagePositionPatient);
  const r = asVec3(rowCosines);
  const c = asVec3(columnCosines);
  if (!p || !r || !c) return undefined;
  const n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
  return p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
}
