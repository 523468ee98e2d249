/** SAM2's fixed input side: the slice is resized straight to 1024×1024 (no letterbox). */
export const modelSide = 1024;

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];

/**
 * Bilinear resize of a grey image to 1024² and SAM2 normalisation ((v/255 - mean) / std per RGB channel,
 * the grey value copied to all three), written as NCHW float32 [1, 3, 1024, 1024].
 */
export function toModelInput(
  gray: Uint8Array,
  width: number,
  height: number,
  out?: Float32Array,
): Float32Array {
  const plane = modelSide * modelSide;
  const input = out ?? new Float32Array(3 * plane);
  const scales = [0, 1, 2].map((c) => 1 / (255 * std[c]));
  const offsets = [0, 1, 2].map((c) => -mean[c] / std[c]);
  // Align pixel centres (like OpenCV/PIL bilinear): src = (dst + 0.5) * in/out - 0.5.
  const sx = width / modelSide;
  const sy = height / modelSide;
  const x0s = new Int32Array(modelSide);
  const x1s = new Int32Array(modelSide);
  const fxs = new Float32Array(modelSide);
  for (let x = 0; x < modelSide; x++) {
    const src = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
    x0s[x] = Math.floor(src);
    x1s[x] = Math.min(x0s[x] + 1, width - 1);
    fxs[x] = src - x0s[x];
  }
  for (let y = 0; y < modelSide; y++) {
    const srcY = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(srcY);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = srcY - y0;
    const row0 = y0 * width;
    const row1 = y1 * width;
    const outRow = y * modelSide;
    for (let x = 0; x < modelSide; x++) {
      const a = gray[row0 + x0s[x]];
      const b = gray[row0 + x1s[x]];
      const c = gray[row1 + x0s[x]];
      const d = gray[row1 + x1s[x]];
      const fx = fxs[x];
      const top = a + (b - a) * fx;
      const bottom = c + (d - c) * fx;
      const v = top + (bottom - top) * fy;
      const i = outRow + x;
      input[i] = v * scales[0] + offsets[0];
      input[plane + i] = v * scales[1] + offsets[1];
      input[2 * plane + i] = v * scales[2] + offsets[2];
    }
  }
  return input;
}
