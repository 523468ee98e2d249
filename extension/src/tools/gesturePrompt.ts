/** A click or drag on the canvas as a prompt in slice pixel coordinates (undefined = ignore it). */
import type { CornerstoneLibraries, ViewportLike } from '../host/types';
import { boxFromCorners, canvasToImage } from '../imaging/coords';
import type { PromptInput } from './promptSession';
import type { Gesture } from './Sam2PromptTool';

export function gestureToPrompt(
  libs: CornerstoneLibraries,
  viewport: ViewportLike,
  gesture: Gesture,
): PromptInput | undefined {
  const imageId = viewport.getCurrentImageId();
  const image = imageId ? libs.cornerstone.cache.getImage(imageId) : undefined;
  if (!imageId || !image) return undefined;
  const size = { width: image.columns, height: image.rows };
  if (gesture.isBox) {
    const a = canvasToImage(libs, viewport, imageId, gesture.start, size);
    const b = canvasToImage(libs, viewport, imageId, gesture.end, size);
    const box = boxFromCorners(a, b);
    return box ? { kind: 'box', box, world: [a.world, b.world] } : undefined;
  }
  const p = canvasToImage(libs, viewport, imageId, gesture.end, size);
  // A click beside the image (on the black canvas border) means nothing.
  return p.inside ? { kind: 'point', x: p.x, y: p.y, world: p.world, negative: gesture.negative } : undefined;
}
