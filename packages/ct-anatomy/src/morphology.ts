/** Binary morphology on row-major masks (1 = set), shared by the vertebra and muscle rules. */

/** Binary dilation by a (2rx+1)×(2ry+1) rectangle, separably. `mask` is width × height, row-major. */
export function dilate(mask: Uint8Array, width: number, height: number, rx: number, ry: number): Uint8Array {
  const tmp = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let d = Math.max(0, x - rx); d <= Math.min(width - 1, x + rx); d++) tmp[y * width + d] = 1;
    }
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!tmp[y * width + x]) continue;
      for (let d = Math.max(0, y - ry); d <= Math.min(height - 1, y + ry); d++) out[d * width + x] = 1;
    }
  return out;
}
