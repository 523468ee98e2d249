/**
 * Exact Euclidean distance transform on a 2-D grid with anisotropic pixel spacing (Felzenszwalb &
 * Huttenlocher, "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012: the 1-D lower
 * envelope of parabolas, applied along rows then columns).
 */

/**
 * For each pixel of a `columns × rows` row-major grid, the distance in mm to the nearest pixel where
 * `feature` is 1 (pixel centres; spacing in mm per column / row). Infinity when there is no feature.
 */
export function distanceToFeature(
  feature: Uint8Array,
  columns: number,
  rows: number,
  spacing: { column: number; row: number },
): Float64Array {
  const sq = new Float64Array(columns * rows);
  for (let p = 0; p < sq.length; p++) sq[p] = feature[p] ? 0 : Infinity;
  const line = new Float64Array(Math.max(columns, rows));
  const out = new Float64Array(Math.max(columns, rows));
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) line[i] = sq[j * columns + i];
    transform1d(line, columns, spacing.column, out);
    for (let i = 0; i < columns; i++) sq[j * columns + i] = out[i];
  }
  for (let i = 0; i < columns; i++) {
    for (let j = 0; j < rows; j++) line[j] = sq[j * columns + i];
    transform1d(line, rows, spacing.row, out);
    for (let j = 0; j < rows; j++) sq[j * columns + i] = out[j];
  }
  for (let p = 0; p < sq.length; p++) sq[p] = Math.sqrt(sq[p]);
  return sq;
}

/** d(p) = min_q (s·(p − q))² + f(q) over q < n, for sampled f (Infinity allowed). */
function transform1d(f: Float64Array, n: number, s: number, d: Float64Array): void {
  const v = new Int32Array(n); // parabola apexes of the lower envelope
  const z = new Float64Array(n + 1); // boundaries between them
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    let x = intersection(f, v[k], q, s);
    while (x <= z[k]) {
      k--;
      if (k < 0) break;
      x = intersection(f, v[k], q, s);
    }
    k++;
    v[k] = q;
    z[k] = k === 0 ? -Infinity : x;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    d.fill(Infinity, 0, n);
    return;
  }
  let e = 0;
  for (let p = 0; p < n; p++) {
    while (z[e + 1] < p) e++;
    const dp = s * (p - v[e]);
    d[p] = dp * dp + f[v[e]];
  }
}

/** Where the parabolas from apexes a < b (heights f[a], f[b]) cross, in pixel units. */
function intersection(f: Float64Array, a: number, b: number, s: number): number {
  return (f[b] + s * s * b * b - (f[a] + s * s * a * a)) / (2 * s * s * (b - a));
}
