/**
 * A click or drag on the canvas as a prompt in slice pixel coordinates, or the reason it cannot be one
 * (shown to the user: a click is never dropped without a word).
 */
import type { CornerstoneLibraries, ViewportLike } from '../host/types';
import { boxFromCorners, canvasToImage, viewportPlaneOf } from '../imaging/coords';
import { ImagePlaneError } from '../imaging/imagePlane';
import type { PromptInput } from './promptSession';
import type { Gesture } from './Sam2PromptTool';

export type GestureResult = { input: PromptInput } | { refused: string };

export const OUTSIDE_CLICK_MESSAGE =
  'The click is outside the image, so nothing was sent. Click on the structure inside the image.';
export const OUTSIDE_BOX_MESSAGE =
  'The box does not overlap the image, so nothing was sent. Drag the box across the structure.';

export function gestureToPrompt(
  libs: CornerstoneLibraries,
  viewport: ViewportLike,
  gesture: Gesture,
): GestureResult {
  const imageId = viewport.getCurrentImageId();
  const image = imageId ? libs.cornerstone.cache.getImage(imageId) : undefined;
  if (!imageId || !image) return { refused: 'The image is still loading. Try again in a moment.' };
  const plane = viewportPlaneOf(libs, viewport, imageId, { width: image.columns, height: image.rows });
  try {
    if (gesture.isBox) {
      const a = canvasToImage(viewport, plane, gesture.start);
      const b = canvasToImage(viewport, plane, gesture.end);
      // Corners past an edge stop at the edge; a box that misses the image has no area left.
      const box = boxFromCorners(a, b);
      return box
        ? { input: { kind: 'box', box, world: [a.world, b.world] } }
        : { refused: OUTSIDE_BOX_MESSAGE };
    }
    const p = canvasToImage(viewport, plane, gesture.end);
    if (!p.inside) return { refused: OUTSIDE_CLICK_MESSAGE };
    return { input: { kind: 'point', x: p.x, y: p.y, world: p.world, negative: gesture.negative } };
  } catch (e) {
    if (e instanceof ImagePlaneError) return { refused: `Cannot place the prompt: ${e.message}.` };
    throw e;
  }
}
