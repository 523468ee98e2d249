/** What the toolbar evaluator needs to know about a viewport, read from OHIF and Cornerstone. */
import type { CornerstoneLibraries, ServicesLike } from '../host/types';
import { TOOL_NAME } from '../id';
import type { ViewportFacts } from './evaluate';

export interface ViewportFactsWithTool extends ViewportFacts {
  toolActive: boolean;
  toolAvailable: boolean;
}

export function readViewportFacts(
  services: ServicesLike,
  libs: CornerstoneLibraries,
  viewportId: string | undefined,
): ViewportFactsWithTool {
  const { cornerstoneViewportService, viewportGridService, displaySetService, toolGroupService } = services;
  const none = { hasViewport: false, imageLoaded: false, toolActive: false, toolAvailable: false };
  if (!viewportId) return none;
  const viewport = cornerstoneViewportService.getCornerstoneViewport(viewportId);
  if (!viewport) return none;
  const uid = viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
  const displaySet = uid ? displaySetService.getDisplaySetByUID(uid) : undefined;
  let imageLoaded = false;
  try {
    const imageId = viewport.getCurrentImageId();
    imageLoaded = !!imageId && !!libs.cornerstone.cache.getImage(imageId);
  } catch {
    // Viewports without a current image (3-D) throw here on some Cornerstone versions.
    imageLoaded = false;
  }
  const toolGroup = toolGroupService.getToolGroupForViewport(viewportId);
  return {
    hasViewport: true,
    imageLoaded,
    modality: displaySet?.Modality,
    toolAvailable: !!toolGroup?.hasTool(TOOL_NAME),
    toolActive: toolGroup?.getActivePrimaryMouseButtonTool() === TOOL_NAME,
  };
}
