import type { Page } from 'playwright-core';
import type { OhifWindow } from './ohifWindow';

export interface ViewportInfo {
  viewportId: string;
  /** Cornerstone viewport type: `stack`, or `orthographic` in MPR. */
  type: string;
  imageId: string | undefined;
  imageIndex: number | undefined;
}

/** The active viewport and the image it shows, or undefined before the viewer has one. */
export function activeViewport(page: Page): Promise<ViewportInfo | undefined> {
  return page.evaluate(() => {
    const w = window as unknown as OhifWindow;
    if (!w.services) return undefined;
    const viewportId = w.services.viewportGridService.getActiveViewportId();
    const viewport = viewportId
      ? w.services.cornerstoneViewportService.getCornerstoneViewport(viewportId)
      : undefined;
    if (!viewport) return undefined;
    return {
      viewportId,
      type: viewport.type,
      imageId: viewport.getCurrentImageId?.(),
      imageIndex: viewport.getCurrentImageIdIndex?.(),
    };
  });
}

/** All Cornerstone viewports on screen (one in stack layout, three in MPR). */
export function allViewports(page: Page): Promise<ViewportInfo[]> {
  return page.evaluate(() => {
    const w = window as unknown as OhifWindow;
    return (w.cornerstone?.getRenderingEngines() ?? []).flatMap((engine) =>
      engine.getViewports().map((v) => ({
        viewportId: v.id,
        type: v.type,
        imageId: v.getCurrentImageId?.(),
        imageIndex: v.getCurrentImageIdIndex?.(),
      })),
    );
  });
}

export interface CanvasStats {
  width: number;
  height: number;
  /** Share of pixels brighter than near-black (a rendered CT slice is well above 0.05). */
  litFraction: number;
  meanLevel: number;
}

/** Pixel statistics of a viewport's on-screen canvas (Cornerstone copies its WebGL output to a 2D canvas). */
export function viewportCanvasStats(page: Page, viewportId?: string): Promise<CanvasStats | undefined> {
  return page.evaluate((id) => {
    const w = window as unknown as OhifWindow;
    const viewportIdToRead = id ?? w.services?.viewportGridService.getActiveViewportId();
    const viewport = viewportIdToRead
      ? w.services.cornerstoneViewportService.getCornerstoneViewport(viewportIdToRead)
      : undefined;
    const canvas = viewport?.canvas;
    if (!canvas || canvas.width === 0 || canvas.height === 0) return undefined;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data } = ctx.getImageData(0, 0, copy.width, copy.height);
    let lit = 0;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) {
      const level = (data[i] + data[i + 1] + data[i + 2]) / 3;
      if (level > 10) lit++;
      sum += level;
    }
    const pixels = data.length / 4;
    return { width: copy.width, height: copy.height, litFraction: lit / pixels, meanLevel: sum / pixels };
  }, viewportId);
}

export interface LabelmapCount {
  segmentationId: string;
  /** The labelmap image of the shown slice. */
  labelmapImageId: string;
  /** Voxels of the shown slice that carry `segmentIndex` (any segment when not given). */
  voxels: number;
}

/**
 * Counts labelmap voxels of the active segmentation on the slice the active viewport shows (stack or
 * MPR axial). Undefined when the viewport has no active segmentation or no labelmap for that slice.
 */
export function activeLabelmapVoxelCount(
  page: Page,
  segmentIndex?: number,
): Promise<LabelmapCount | undefined> {
  return page.evaluate((index) => {
    const w = window as unknown as OhifWindow;
    const viewportId = w.services.viewportGridService.getActiveViewportId();
    const segmentation = w.services.segmentationService.getActiveSegmentation(viewportId);
    const imageId = w.services.cornerstoneViewportService
      .getCornerstoneViewport(viewportId)
      ?.getCurrentImageId?.();
    if (!segmentation || !imageId) return undefined;
    const labelmapImageId = w.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(
      imageId,
      segmentation.segmentationId,
    )?.[0];
    const labelmap = labelmapImageId ? w.cornerstone.cache.getImage(labelmapImageId) : undefined;
    if (!labelmapImageId || !labelmap) return undefined;
    const values = labelmap.voxelManager.getScalarData();
    let voxels = 0;
    for (let i = 0; i < values.length; i++) {
      if (index === undefined ? values[i] !== 0 : values[i] === index) voxels++;
    }
    return { segmentationId: segmentation.segmentationId, labelmapImageId, voxels };
  }, segmentIndex);
}
