import { modelSide } from '../image/modelInput';
import type { Prompts } from './types';

/** Slice pixel coordinates → 1024² model input coordinates (SAM2 resizes without keeping the aspect). */
export function toModelPrompts(prompts: Prompts, width: number, height: number): Prompts {
  const sx = modelSide / width;
  const sy = modelSide / height;
  return {
    points: prompts.points.map((p) => ({ x: p.x * sx, y: p.y * sy, label: p.label })),
    box: prompts.box
      ? [prompts.box[0] * sx, prompts.box[1] * sy, prompts.box[2] * sx, prompts.box[3] * sy]
      : undefined,
  };
}
