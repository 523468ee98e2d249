/**
 * What the full-stack test does in the viewer beyond the shared page object: show a given slice, turn
 * slice pixels into page coordinates for a real mouse click, read the SAM2 segment as OHIF holds it, and
 * run OHIF's own "Export > DICOM SEG" from the segmentation panel.
 */
import type { Page } from 'playwright-core';

/** The browser-side objects these helpers use (window.services, window.cornerstone, window.sam2). */
interface FullStackWindow {
  services: {
    viewportGridService: { getActiveViewportId(): string };
    cornerstoneViewportService: {
      getCornerstoneViewport(id: string):
        | {
            canvas: HTMLCanvasElement;
            getImageIds(): string[];
            getCurrentImageId(): string;
            setImageIdIndex(index: number): Promise<unknown>;
            worldToCanvas(world: number[]): [number, number];
          }
        | undefined;
    };
    segmentationService: {
      getActiveSegmentation(viewportId: string):
        | {
            segmentationId: string;
            label: string;
            segments: Record<
              string,
              | { segmentIndex: number; label: string; algorithmType?: string; algorithmName?: string }
              | undefined
            >;
          }
        | undefined;
      getSegmentColor(viewportId: string, segmentationId: string, segmentIndex: number): number[];
    };
    displaySetService: { getActiveDisplaySets(): Array<{ Modality?: string; SeriesDescription?: string }> };
  };
  cornerstone: {
    metaData: { get(module: string, imageId: string): Record<string, unknown> | undefined };
    utilities: { imageToWorldCoords(imageId: string, point: [number, number]): number[] };
    cache: {
      getImage(
        id: string,
      ): { columns: number; voxelManager: { getScalarData(): ArrayLike<number> } } | undefined;
    };
  };
  cornerstoneTools: {
    segmentation: { getLabelmapImageIdsForImageId(imageId: string, segId: string): string[] | undefined };
  };
  sam2?: { lastOutcome?: Sam2Outcome; availability: { status: string; state?: string } };
}

/** The extension's record of its last run (Sam2Controller.lastOutcome). */
export interface Sam2Outcome {
  status: string;
  voxels?: number;
  score?: number;
  elapsedMs?: number;
  error?: string;
}

export interface ShownSlice {
  imageId: string;
  instanceNumber: number;
  sopInstanceUid: string;
}

/** Scrolls the active stack viewport to the image with this InstanceNumber; resolves once it is shown. */
export async function showInstance(page: Page, instanceNumber: number): Promise<ShownSlice> {
  return page.evaluate(async (wanted) => {
    const w = window as unknown as FullStackWindow;
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    if (!viewport) throw new Error('no active viewport');
    const imageIds = viewport.getImageIds();
    const index = imageIds.findIndex(
      (id) => w.cornerstone.metaData.get('generalImageModule', id)?.instanceNumber === wanted,
    );
    if (index < 0) throw new Error(`no image with InstanceNumber ${wanted} in the viewport`);
    await viewport.setImageIdIndex(index);
    const imageId = viewport.getCurrentImageId();
    return {
      imageId,
      instanceNumber: w.cornerstone.metaData.get('generalImageModule', imageId)?.instanceNumber as number,
      sopInstanceUid: w.cornerstone.metaData.get('sopCommonModule', imageId)?.sopInstanceUID as string,
    };
  }, instanceNumber);
}

/**
 * Page coordinates (for page.mouse) of the centre of slice pixel (column, row) in the active viewport,
 * through Cornerstone's own image → world → canvas transforms.
 */
export async function slicePixelToPage(
  page: Page,
  column: number,
  row: number,
): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([x, y]) => {
      const w = window as unknown as FullStackWindow;
      const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      )!;
      // Image coordinates put (0, 0) at the top-left corner of the first pixel: +0.5 is its centre.
      const world = w.cornerstone.utilities.imageToWorldCoords(viewport.getCurrentImageId(), [
        x + 0.5,
        y + 0.5,
      ]);
      const [cx, cy] = viewport.worldToCanvas(world);
      const rect = viewport.canvas.getBoundingClientRect();
      return { x: rect.x + cx, y: rect.y + cy };
    },
    [column, row] as [number, number],
  );
}

export interface LabelmapSliceSummary {
  /** Voxels of the shown slice that carry the segment. */
  voxels: number;
  /** Whether the given slice pixel carries it. */
  atPoint: boolean;
  /** [x0, y0, x1, y1] of those voxels in slice pixels, inclusive. */
  bbox: [number, number, number, number] | undefined;
}

/** The active segmentation's labelmap on the shown slice, for one segment. */
export async function labelmapSlice(
  page: Page,
  segmentIndex: number,
  point: [number, number],
): Promise<LabelmapSliceSummary> {
  return page.evaluate(
    ([index, [px, py]]) => {
      const w = window as unknown as FullStackWindow;
      const viewportId = w.services.viewportGridService.getActiveViewportId();
      const segmentation = w.services.segmentationService.getActiveSegmentation(viewportId);
      const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
      if (!segmentation || !viewport) throw new Error('no active segmentation');
      const labelmapId = w.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(
        viewport.getCurrentImageId(),
        segmentation.segmentationId,
      )?.[0];
      const image = labelmapId ? w.cornerstone.cache.getImage(labelmapId) : undefined;
      if (!image) throw new Error('no labelmap image for the shown slice');
      const values = image.voxelManager.getScalarData();
      const width = image.columns;
      let voxels = 0;
      let bbox: [number, number, number, number] | undefined;
      for (let i = 0; i < values.length; i++) {
        if (values[i] !== index) continue;
        voxels++;
        const x = i % width;
        const y = Math.floor(i / width);
        bbox = bbox
          ? [Math.min(bbox[0], x), Math.min(bbox[1], y), Math.max(bbox[2], x), Math.max(bbox[3], y)]
          : [x, y, x, y];
      }
      return { voxels, atPoint: values[py * width + px] === index, bbox };
    },
    [segmentIndex, point] as [number, [number, number]],
  );
}

export interface OhifSegment {
  segmentationId: string;
  segmentationLabel: string;
  segmentIndex: number;
  label: string;
  /** RGBA 0-255, as OHIF will export it. */
  color: number[];
  /** The fields OHIF's SEG export reads for SegmentAlgorithmType / SegmentAlgorithmName. */
  algorithmType?: string;
  algorithmName?: string;
}

/** The active segmentation's segments as OHIF's segmentation service holds them (what its export reads). */
export async function activeSegments(page: Page): Promise<OhifSegment[]> {
  return page.evaluate(() => {
    const w = window as unknown as FullStackWindow;
    const viewportId = w.services.viewportGridService.getActiveViewportId();
    const { segmentationService } = w.services;
    const segmentation = segmentationService.getActiveSegmentation(viewportId);
    if (!segmentation) return [];
    return Object.values(segmentation.segments)
      .filter((s) => !!s)
      .map((s) => ({
        segmentationId: segmentation.segmentationId,
        segmentationLabel: segmentation.label,
        segmentIndex: s!.segmentIndex,
        label: s!.label,
        color: [
          ...segmentationService.getSegmentColor(viewportId, segmentation.segmentationId, s!.segmentIndex),
        ],
        algorithmType: s!.algorithmType,
        algorithmName: s!.algorithmName,
      }));
  });
}

/** The extension's last run outcome (cleared with `clear`). */
export function lastOutcome(page: Page, clear = false): Promise<Sam2Outcome | undefined> {
  return page.evaluate((reset) => {
    const sam2 = (window as unknown as FullStackWindow).sam2;
    const outcome = sam2?.lastOutcome;
    if (reset && sam2) sam2.lastOutcome = undefined;
    return outcome;
  }, clear);
}

/** The extension's view of the service (`ready`, or `down` with the state `unreachable`, `loading`, ...). */
export function sam2Availability(page: Page): Promise<{ status: string; state?: string } | undefined> {
  return page.evaluate(() => {
    const a = (window as unknown as FullStackWindow).sam2?.availability;
    return a ? { status: a.status, state: a.state } : undefined;
  });
}

/** Modalities of the display sets OHIF built for the study (the study browser's series). */
export function displaySetModalities(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as FullStackWindow).services.displaySetService
      .getActiveDisplaySets()
      .map((d) => d.Modality ?? ''),
  );
}

/**
 * OHIF's own export as a user runs it: the segmentation panel's "⋯" menu → Export → DICOM SEG opens OHIF's
 * "Store Segmentation" dialog (commands `storeSegmentation` of @ohif/extension-cornerstone and of
 * @ohif/extension-cornerstone-dicom-seg); `beforeSave` runs with the dialog open (for a screenshot).
 */
export async function exportDicomSegFromPanel(
  page: Page,
  beforeSave?: () => Promise<unknown>,
): Promise<void> {
  await page.locator('[data-cy="segmentation-collapsed-more-btn-Labelmap"]').click();
  await page.getByRole('menuitem', { name: 'Export', exact: true }).hover();
  await page.getByRole('menuitem', { name: 'DICOM SEG', exact: true }).click();
  const dialog = page.getByRole('dialog').filter({ hasText: 'Store Segmentation' });
  await dialog.waitFor();
  if (beforeSave) await beforeSave();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
}

/** The tooltip OHIF shows for a toolbar button (its label, then disabledText or tooltip). */
export async function toolbarTooltip(page: Page, buttonId: string): Promise<string> {
  await page.mouse.move(0, 0);
  await page.locator(`[data-cy="${buttonId}"]`).hover();
  const tooltip = page.getByRole('tooltip').first();
  await tooltip.waitFor();
  return (await tooltip.innerText()).trim();
}
