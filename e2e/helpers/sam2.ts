/**
 * Driving the SAM2 extension in the real viewer: open the example CT in the SAM2 mode, show a slice, turn
 * slice pixels into page coordinates, run One-Click / prompts and read what landed in the labelmap.
 * Everything is read from the viewer's own globals (window.services, window.cornerstone, window.sam2).
 */
import type { Locator, Page } from 'playwright-core';
import { BUTTON_IDS, COMMANDS } from '../../extension/src/id';
import { DISPLAY_NAME } from '../../mode/src/ids';
import { pollUntil } from './poll';
import { totalSegExample } from './testData';
import type { OhifViewerPage } from './viewerPage';

/** The browser-side objects these helpers use. Only referenced inside page.evaluate(). */
interface Sam2TestWindow {
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
              | {
                  segmentIndex: number;
                  label: string;
                  active?: boolean;
                  algorithmType?: string;
                  algorithmName?: string;
                }
              | undefined
            >;
          }
        | undefined;
      getSegmentColor(viewportId: string, segmentationId: string, segmentIndex: number): number[];
    };
    toolbarService: { getButton(id: string): { props?: { disabledText?: string } } | undefined };
  };
  commandsManager: { runCommand(name: string, options?: Record<string, unknown>): unknown };
  cornerstone: {
    metaData: { get(module: string, imageId: string): Record<string, unknown> | undefined };
    cache: {
      getImage(id: string):
        | {
            columns: number;
            rows: number;
            slope?: number;
            intercept?: number;
            preScale?: { scaled?: boolean };
            voxelManager: { getScalarData(): ArrayLike<number> };
          }
        | undefined;
    };
  };
  cornerstoneTools: {
    segmentation: { getLabelmapImageIdsForImageId(imageId: string, segId: string): string[] | undefined };
  };
  sam2?: { lastOutcome?: Sam2Outcome; availability?: { status: string; state?: string } };
}

/** The extension's record of its last run (window.sam2.lastOutcome). */
export interface Sam2Outcome {
  status: 'written' | 'unchanged' | 'cancelled' | 'declined' | 'empty' | 'error' | 'skipped';
  voxels?: number;
  score?: number;
  elapsedMs?: number;
  cached?: boolean;
  /** A muscle One-Click: the muscle groups whose prompt gave a mask. */
  groups?: string[];
  error?: string;
}

export const ONE_CLICK_BUTTON = `[data-cy="${BUTTON_IDS.oneClick}-btn"]`;

/** Instance 276 of the TotalSegmentator example CT and the liver's box on it (shared/data/README.md). */
export const LIVER_SLICE = 276;
export const LIVER_BOX = [107, 196, 269, 374] as const;
export const LIVER_POINT: [number, number] = [188, 285];

/** From /local: the 20 files of the example CT, its row in the study list, then the SAM2 mode. */
export async function openExampleCtInSam2Mode(viewer: OhifViewerPage): Promise<void> {
  await viewer.gotoLocalFiles();
  await viewer.loadLocalFiles(totalSegExample.files(), totalSegExample.patientName);
  await viewer.launchFromStudyList(totalSegExample.patientName, DISPLAY_NAME);
  await viewer.waitForImage();
  await viewer.dismissInvestigationalUseBanner();
  await waitForOneClickEnabled(viewer.page);
}

export async function waitForOneClickEnabled(page: Page, timeoutMs = 60000): Promise<void> {
  await page.locator(`${ONE_CLICK_BUTTON}:not([disabled])`).waitFor({ timeout: timeoutMs });
}

export interface ShownSlice {
  imageId: string;
  instanceNumber: number;
  sopInstanceUid: string;
  index: number;
}

/** Scrolls the active viewport to the image with this InstanceNumber (stack or MPR axial). */
export function showInstance(page: Page, instanceNumber: number): Promise<ShownSlice> {
  return page.evaluate(async (wanted) => {
    const w = window as unknown as Sam2TestWindow;
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
      index,
    };
  }, instanceNumber);
}

/** InstanceNumbers of the active viewport's images, in viewport order. */
export function instanceNumbers(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as Sam2TestWindow;
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    )!;
    return viewport
      .getImageIds()
      .map((id) => w.cornerstone.metaData.get('generalImageModule', id)?.instanceNumber as number);
  });
}

/**
 * Page coordinates of the centre of slice pixel (column, row) in the active viewport. The patient position
 * comes straight from the image's DICOM attributes by PS3.3 C.7.6.2.1.1 (IPP = centre of the first pixel;
 * IOP = row then column direction cosines; PixelSpacing = [between rows, between columns]), not from
 * Cornerstone's image-coordinate utilities (which swap the two spacings) nor from the extension's code;
 * the viewport's camera then places it on the canvas.
 */
export function slicePixelToPage(page: Page, column: number, row: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([c, r]) => {
      const w = window as unknown as Sam2TestWindow;
      const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      )!;
      const instance = w.cornerstone.metaData.get('instance', viewport.getCurrentImageId()) ?? {};
      const numbers = (name: string, n: number) => {
        const v = instance[name];
        const a = Array.isArray(v) ? v.map(Number) : typeof v === 'string' ? v.split('\\').map(Number) : [];
        if (a.length !== n || !a.every(Number.isFinite)) throw new Error(`${name} missing: ${String(v)}`);
        return a;
      };
      const ipp = numbers('ImagePositionPatient', 3);
      const iop = numbers('ImageOrientationPatient', 6);
      const [betweenRows, betweenColumns] = numbers('PixelSpacing', 2);
      const world = [0, 1, 2].map((k) => ipp[k] + c * betweenColumns * iop[k] + r * betweenRows * iop[3 + k]);
      const [cx, cy] = viewport.worldToCanvas(world);
      const rect = viewport.canvas.getBoundingClientRect();
      return { x: rect.x + cx, y: rect.y + cy };
    },
    [column, row] as [number, number],
  );
}

/** Hounsfield value of a slice pixel of the shown image. */
export function pixelHu(page: Page, column: number, row: number): Promise<number> {
  return page.evaluate(
    ([x, y]) => {
      const w = window as unknown as Sam2TestWindow;
      const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      )!;
      const imageId = viewport.getCurrentImageId();
      const image = w.cornerstone.cache.getImage(imageId)!;
      const raw = image.voxelManager.getScalarData()[y * image.columns + x];
      const modality = w.cornerstone.metaData.get('modalityLutModule', imageId) ?? {};
      const slope = Number(modality.rescaleSlope ?? image.slope ?? 1);
      const intercept = Number(modality.rescaleIntercept ?? image.intercept ?? 0);
      // Cornerstone usually holds the values already rescaled (preScale): then they are HU as they are.
      return image.preScale?.scaled ? raw : raw * slope + intercept;
    },
    [column, row] as [number, number],
  );
}

export interface SegmentSlice {
  /** Voxels of the shown slice carrying the segment. */
  voxels: number;
  /** Flat indices (row * columns + column) of those voxels. */
  indices: number[];
  columns: number;
  /** [x0, y0, x1, y1] of those voxels, inclusive. */
  bbox: [number, number, number, number] | undefined;
}

/** One segment of the active segmentation on the slice the active viewport shows (empty without one). */
export function segmentSlice(page: Page, segmentIndex: number): Promise<SegmentSlice> {
  return page.evaluate((index) => {
    const w = window as unknown as Sam2TestWindow;
    const viewportId = w.services.viewportGridService.getActiveViewportId();
    const segmentation = w.services.segmentationService.getActiveSegmentation(viewportId);
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
    const empty = { voxels: 0, indices: [], columns: 0, bbox: undefined };
    if (!segmentation || !viewport) return empty;
    const labelmapId = w.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(
      viewport.getCurrentImageId(),
      segmentation.segmentationId,
    )?.[0];
    const image = labelmapId ? w.cornerstone.cache.getImage(labelmapId) : undefined;
    if (!image) return empty;
    const values = image.voxelManager.getScalarData();
    const width = image.columns;
    const indices: number[] = [];
    let bbox: [number, number, number, number] | undefined;
    for (let i = 0; i < values.length; i++) {
      if (values[i] !== index) continue;
      indices.push(i);
      const x = i % width;
      const y = Math.floor(i / width);
      bbox = bbox
        ? [Math.min(bbox[0], x), Math.min(bbox[1], y), Math.max(bbox[2], x), Math.max(bbox[3], y)]
        : [x, y, x, y];
    }
    return { voxels: indices.length, indices, columns: width, bbox };
  }, segmentIndex);
}

export function hasPixel(slice: SegmentSlice, [x, y]: readonly [number, number]): boolean {
  return slice.indices.includes(y * slice.columns + x);
}

/** How many of the slice's voxels lie inside [x0, y0, x1, y1] (inclusive). */
export function voxelsInside(slice: SegmentSlice, box: readonly [number, number, number, number]): number {
  return slice.indices.filter((i) => {
    const x = i % slice.columns;
    const y = Math.floor(i / slice.columns);
    return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
  }).length;
}

export interface SegmentInfo {
  segmentationId: string;
  segmentationLabel: string;
  segmentIndex: number;
  label: string;
  /** RGBA 0-255, as OHIF will export it. */
  color: number[];
  active: boolean;
  /** The fields OHIF's SEG export reads for SegmentAlgorithmType / SegmentAlgorithmName. */
  algorithmType?: string;
  algorithmName?: string;
}

/** Segments of the active viewport's active segmentation, as OHIF's segmentation service holds them. */
export function activeSegments(page: Page): Promise<SegmentInfo[]> {
  return page.evaluate(() => {
    const w = window as unknown as Sam2TestWindow;
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
        active: !!s!.active,
        algorithmType: s!.algorithmType,
        algorithmName: s!.algorithmName,
      }));
  });
}

/** The segment with this label in the active segmentation. */
export async function segmentByLabel(page: Page, label: string): Promise<SegmentInfo> {
  const segment = (await activeSegments(page)).find((s) => s.label === label);
  if (!segment) throw new Error(`no segment "${label}": ${JSON.stringify(await activeSegments(page))}`);
  return segment;
}

/** Clears window.sam2.lastOutcome, so the next run's outcome can be awaited. */
export async function clearOutcome(page: Page): Promise<void> {
  await page.evaluate(() => {
    const sam2 = (window as unknown as Sam2TestWindow).sam2;
    if (sam2) sam2.lastOutcome = undefined;
  });
}

/** Waits for the outcome of the run started after the last clearOutcome(). */
export async function waitForOutcome(page: Page, timeoutMs = 45000): Promise<Sam2Outcome> {
  const handle = await page.waitForFunction(
    () => (window as unknown as Sam2TestWindow).sam2?.lastOutcome,
    undefined,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await handle.jsonValue()) as Sam2Outcome;
}

/** Presses the One-Click button (it must be enabled) and resolves with the run's outcome. */
export async function runOneClick(page: Page): Promise<Sam2Outcome> {
  await clearOutcome(page);
  await page.locator(`${ONE_CLICK_BUTTON}:not([disabled])`).click();
  return waitForOutcome(page);
}

/** Runs `gesture` (a click, a drag...) on the viewport and resolves with the run's outcome. */
export async function promptAndWait(page: Page, gesture: () => Promise<void>): Promise<Sam2Outcome> {
  await clearOutcome(page);
  await gesture();
  const outcome = await waitForOutcome(page);
  // Cornerstone's double-click detection: the next press on the viewport must come later than this.
  await page.waitForTimeout(600);
  return outcome;
}

/** A click on slice pixel (column, row); `negative` holds Shift (a negative point for the prompt tool). */
export async function clickPixel(
  page: Page,
  pixel: readonly [number, number],
  negative = false,
): Promise<void> {
  const target = await slicePixelToPage(page, pixel[0], pixel[1]);
  if (negative) await page.keyboard.down('Shift');
  try {
    await page.mouse.click(target.x, target.y);
  } finally {
    if (negative) await page.keyboard.up('Shift');
  }
}

/** A mouse drag between two slice pixels, in steps (a box for the prompt tool, a stroke for the brush). */
export async function dragPixels(
  page: Page,
  from: readonly [number, number],
  to: readonly [number, number],
  steps = 8,
): Promise<void> {
  const a = await slicePixelToPage(page, from[0], from[1]);
  const b = await slicePixelToPage(page, to[0], to[1]);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps });
  await page.mouse.up();
}

/** Selects a SAM2 context through the split button's menu; `beforeChoice` runs with the menu open. */
export async function chooseContextFromMenu(
  page: Page,
  contextButtonId: string,
  beforeChoice?: () => Promise<unknown>,
): Promise<void> {
  await page.locator(`[data-cy="${BUTTON_IDS.contextMenu}-split-button-secondary"] button`).first().click();
  const item = page.locator(`[data-cy="${contextButtonId}"]`).first();
  await item.waitFor();
  if (beforeChoice) await beforeChoice();
  await item.click();
}

export function runCommand(page: Page, name: string, options?: Record<string, unknown>): Promise<unknown> {
  return page.evaluate(
    ([command, opts]) =>
      (window as unknown as Sam2TestWindow).commandsManager.runCommand(command, opts ?? undefined),
    [name, options ?? null] as [string, Record<string, unknown> | null],
  );
}

/** Asks the extension to check the service now (instead of waiting for its next poll). */
export function checkAvailabilityNow(page: Page): Promise<unknown> {
  return runCommand(page, COMMANDS.checkAvailability);
}

/** The reason the toolbar gives for a disabled One-Click button (its disabledText). */
export function oneClickDisabledText(page: Page): Promise<string | undefined> {
  return page.evaluate(
    (id) => (window as unknown as Sam2TestWindow).services.toolbarService.getButton(id)?.props?.disabledText,
    BUTTON_IDS.oneClick,
  );
}

/** Waits until the button's disabled state is `disabled`, forcing availability checks meanwhile. */
export async function waitForOneClickState(page: Page, disabled: boolean, timeoutMs = 30000): Promise<void> {
  await pollUntil(
    async () => {
      const isDisabled = await page.locator(ONE_CLICK_BUTTON).isDisabled();
      if (isDisabled !== disabled) await checkAvailabilityNow(page).catch(() => undefined);
      return isDisabled;
    },
    (d) => d === disabled,
    { timeoutMs, intervalMs: 500, what: `the One-Click button to be ${disabled ? 'disabled' : 'enabled'}` },
  );
}

/** Kept here for the tests that import it with the other SAM2 helpers; writes to artifacts/ only. */
export { docsScreenshot } from './screenshots';

/** Waits until an element (a toast sliding in) stops moving, for a screenshot; at most `timeoutMs`. */
export async function waitUntilStill(locator: Locator, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await locator.boundingBox());
  let still = 0;
  while (still < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = JSON.stringify(await locator.boundingBox());
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

/**
 * A pixel of the shown slice inside `box` [x0, y0, x1, y1] with a HU value in [minHu, maxHu]: the one
 * nearest to the centroid of all such pixels (e.g. the middle of the vertebral body); undefined if none.
 */
export function findPixelByHu(
  page: Page,
  box: readonly [number, number, number, number],
  minHu: number,
  maxHu: number,
): Promise<[number, number] | undefined> {
  return page.evaluate(
    ([[x0, y0, x1, y1], lo, hi]) => {
      const w = window as unknown as Sam2TestWindow;
      const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      )!;
      const imageId = viewport.getCurrentImageId();
      const image = w.cornerstone.cache.getImage(imageId)!;
      const values = image.voxelManager.getScalarData();
      const modality = w.cornerstone.metaData.get('modalityLutModule', imageId) ?? {};
      const slope = Number(modality.rescaleSlope ?? 1);
      const intercept = Number(modality.rescaleIntercept ?? 0);
      const hu = (i: number) => (image.preScale?.scaled ? values[i] : values[i] * slope + intercept);
      const hits: Array<[number, number]> = [];
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const v = hu(y * image.columns + x);
          if (v >= lo && v <= hi) hits.push([x, y]);
        }
      }
      if (hits.length === 0) return undefined;
      const cx = hits.reduce((s, [x]) => s + x, 0) / hits.length;
      const cy = hits.reduce((s, [, y]) => s + y, 0) / hits.length;
      return hits.reduce((best, p) =>
        (p[0] - cx) ** 2 + (p[1] - cy) ** 2 < (best[0] - cx) ** 2 + (best[1] - cy) ** 2 ? p : best,
      );
    },
    [box, minHu, maxHu] as [readonly [number, number, number, number], number, number],
  );
}
