/**
 * The L3 vertebra One-Click prompt: the vertebra found on the shown slice (anatomy/vertebra.ts) as a
 * box in prompt coordinates, or the reason there is none (then nothing is written).
 */
import type { PromptBox } from '../api/types';
import type { Point3 } from '../host/types';
import type { ImagePlane } from '../imaging/imagePlane';
import { promptToWorld } from '../imaging/imagePlane';
import { findVertebra } from './vertebra';

export type VertebraPrompt = { box: PromptBox; world: [Point3, Point3] } | { refused: string };

export const NOT_AXIAL_MESSAGE =
  'One-Click for the vertebra needs an axial slice. Drag a box around the vertebra instead.';
export const NO_VERTEBRA_MESSAGE =
  'No vertebra found on this slice (no compact bone near the midline behind the abdomen). Nothing was written. Drag a box around the vertebra, or show a slice through it.';

/** Patient axes (DICOM LPS): +y is posterior. */
const POSTERIOR_Y = 1;

/**
 * Box prompt around the vertebra of an axial slice. `hu` holds the slice's HU, row-major in the
 * plane's rows × columns. Slices whose rows run posterior → anterior (flipped) are handled; any
 * other orientation is refused.
 */
export function vertebraPrompt(hu: ArrayLike<number>, plane: ImagePlane): VertebraPrompt {
  const { rows, columns } = plane;
  const alongColumn = plane.columnCosines[POSTERIOR_Y];
  if (Math.abs(alongColumn) < 0.9) return { refused: NOT_AXIAL_MESSAGE };
  // The rule expects posterior at the bottom: flip the rows of a slice shown the other way.
  const flipped = alongColumn < 0;
  const image = flipped ? flipRows(hu, rows, columns) : hu;
  const found = findVertebra({
    hu: image,
    width: columns,
    height: rows,
    rowMm: plane.rowSpacing,
    columnMm: plane.columnSpacing,
  });
  if (!found) return { refused: NO_VERTEBRA_MESSAGE };
  const [x0, fy0, x1, fy1] = found.box;
  const [y0, y1] = flipped ? [rows - 1 - fy1, rows - 1 - fy0] : [fy0, fy1];
  // Pixel indices → prompt coordinates: the box spans the pixels' outer edges.
  const box: PromptBox = [x0, y0, x1 + 1, y1 + 1];
  return {
    box,
    world: [promptToWorld(plane, { x: box[0], y: box[1] }), promptToWorld(plane, { x: box[2], y: box[3] })],
  };
}

/** The slice with its rows in reverse order. */
export function flipRows(hu: ArrayLike<number>, rows: number, columns: number): Float32Array {
  const out = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) out[(rows - 1 - r) * columns + c] = hu[r * columns + c];
  return out;
}
