/**
 * An overlay image for the report: the slice in the window the model saw (DICOM LINEAR VOI LUT, as the
 * service applies it), the reference outline in green and the prediction outline in magenta (yellow
 * where they coincide), cropped around both masks and enlarged with nearest-neighbour pixels.
 */
import type { WindowSetting } from '../contexts';
import { boundary } from '../metrics';
import { encodePng } from './png';

export function overlayPng(
  values: Float32Array,
  columns: number,
  rows: number,
  window: WindowSetting,
  reference: Uint8Array,
  predicted: Uint8Array,
  targetSide = 256,
): Buffer {
  const [x0, y0, x1, y1] = cropBox(reference, predicted, columns, rows);
  const scale = Math.max(1, Math.floor(targetSide / Math.max(x1 - x0, y1 - y0)));
  const width = (x1 - x0) * scale;
  const height = (y1 - y0) * scale;
  const ref = boundary(reference, columns, rows);
  const pred = boundary(predicted, columns, rows);
  const rgb = new Uint8Array(width * height * 3);
  const lower = window.center - 0.5 - (window.width - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = (y0 + Math.floor(y / scale)) * columns + x0 + Math.floor(x / scale);
      const grey = Math.round(Math.min(1, Math.max(0, (values[v] - lower) / (window.width - 1))) * 255);
      const colour =
        ref[v] && pred[v]
          ? [255, 230, 0]
          : ref[v]
            ? [0, 220, 0]
            : pred[v]
              ? [255, 0, 200]
              : [grey, grey, grey];
      rgb.set(colour, (y * width + x) * 3);
    }
  }
  return encodePng(rgb, width, height);
}

/** Bounding box of both masks with a margin of a quarter of its size (at least 8 px), inside the image. */
function cropBox(
  a: Uint8Array,
  b: Uint8Array,
  columns: number,
  rows: number,
): [number, number, number, number] {
  let x0 = columns;
  let y0 = rows;
  let x1 = 0;
  let y1 = 0;
  for (let v = 0; v < a.length; v++) {
    if (!a[v] && !b[v]) continue;
    const x = v % columns;
    const y = Math.floor(v / columns);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + 1);
    y1 = Math.max(y1, y + 1);
  }
  if (x1 === 0) return [0, 0, columns, rows];
  const margin = Math.max(8, Math.round(Math.max(x1 - x0, y1 - y0) / 4));
  return [
    Math.max(0, x0 - margin),
    Math.max(0, y0 - margin),
    Math.min(columns, x1 + margin),
    Math.min(rows, y1 + margin),
  ];
}
