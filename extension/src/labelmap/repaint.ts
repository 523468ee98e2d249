/**
 * How a SAM2 write asks Cornerstone to paint, so that a result costs as few full viewport renders as
 * the host allows (docs/performance.md "Browser share of a click").
 *
 * Read in Cornerstone3D 5.6.8 as bundled in OHIF 3.13.2:
 * - Every SEGMENTATION_MODIFIED and SEGMENTATION_DATA_MODIFIED asks the SegmentationRenderingEngine
 *   for a pass; a request arriving while its animation frame is pending is queued for a later frame,
 *   and every pass ends in a full `viewport.render()`. Events that do not change the picture still
 *   cost a render each.
 * - `segmentIndex.setActiveSegmentIndex` marks every segment inactive before testing whether the
 *   wanted one was active, so it fires SEGMENTATION_MODIFIED (one more render) on every call.
 * - On a stack viewport, SEGMENTATION_DATA_MODIFIED syncs the labelmap actor and renders the viewport
 *   at once, then the engine's own pass renders it again. The engine's SEGMENTATION_RENDERED follows
 *   its pass; when that pass was requested before the data event, it shares the first render.
 */
import type { CornerstoneLibraries, SegmentationServiceLike } from '../host/types';

/**
 * Makes the segment the active one (the brush edits it next) unless it already is.
 * Returns true when the host was asked, i.e. a SEGMENTATION_MODIFIED (and a render pass) followed.
 */
export function activateSegment(
  segmentationService: SegmentationServiceLike,
  segmentationId: string,
  segmentIndex: number,
): boolean {
  const segment = segmentationService.getSegmentation(segmentationId)?.segments[segmentIndex];
  if (segment?.active === true) return false;
  segmentationService.setActiveSegment(segmentationId, segmentIndex);
  return true;
}

/**
 * Asks the segmentation renderer for a pass on `viewportId` now, before the data event, unless a
 * segmentation event just did (`alreadyRequested`). That pass then syncs the new labelmap into the
 * first render, and its SEGMENTATION_RENDERED marks the frame that shows the result. A host without
 * the call keeps its own order (the labelmap is still painted; the signal comes one render later).
 * When the engine has a frame pending already (another edit's events), the pass is queued behind it and
 * costs one render more; the paint still follows the write.
 */
export function requestSegmentationPass(
  libs: CornerstoneLibraries,
  viewportId: string,
  alreadyRequested: boolean,
): void {
  if (alreadyRequested) return;
  libs.cornerstoneTools.utilities.segmentation.triggerSegmentationRender?.(viewportId);
}
