/**
 * SAM2 One-Click Segmentation in the real viewer on the real example CT (local files), against the real
 * SAM2 service running the FIXTURE model: automatic mode, the processing overlay and Cancel, point and box
 * prompts, both body-composition contexts, and undo/redo. One study load for the whole file.
 */
import type { Browser, Route } from 'playwright-core';
import { getContext } from '../../extension/src/contexts';
import { BUTTON_IDS, COMMANDS, DOM_IDS } from '../../extension/src/id';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  activeSegments,
  chooseContextFromMenu,
  clearOutcome,
  clickPixel,
  docsScreenshot,
  dragPixels,
  findPixelByHu,
  hasPixel,
  instanceNumbers,
  LIVER_BOX,
  LIVER_POINT,
  LIVER_SLICE,
  ONE_CLICK_BUTTON,
  openExampleCtInSam2Mode,
  pixelHu,
  promptAndWait,
  runCommand,
  runOneClick,
  segmentByLabel,
  segmentSlice,
  showInstance,
  voxelsInside,
  waitForOutcome,
} from '../helpers/sam2';
import { e2eUrls } from '../helpers/servers';
import { recordTimings } from '../helpers/timings';
import { OhifViewerPage } from '../helpers/viewerPage';

const structure = getContext('structure');
const l3 = getContext('l3-vertebra');
const muscle = getContext('skeletal-muscle');
const SEGMENT_API = '**/api/segmentation/sam2';

describeInBrowser('SAM2 One-Click Segmentation: automatic, prompts, contexts, undo/redo', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;
  let slices: number[];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    const started = Date.now();
    await openExampleCtInSam2Mode(viewer);
    timings.oneClickFileStudyOpenMs = Date.now() - started;
    slices = await instanceNumbers(viewer.page);
  });
  afterAll(async () => {
    recordTimings(timings);
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
  });

  /** Another slice of the series than the liver slice, `offset` positions away. */
  const otherSlice = (offset: number) => {
    const at = slices.indexOf(LIVER_SLICE);
    return slices[(at + offset + slices.length) % slices.length];
  };

  it('local files → One-Click: the overlay while it runs (Cancel writes nothing), then a mask in the labelmap', async () => {
    const { page } = viewer;
    await showInstance(page, LIVER_SLICE);
    const toolbarButton = await page.locator(ONE_CLICK_BUTTON).boundingBox();
    await docsScreenshot(page, 'toolbar', {
      x: 0,
      y: 0,
      width: 1400,
      height: Math.ceil(toolbarButton!.y + toolbarButton!.height + 10),
    });

    // Hold the first request in the browser for a while: the overlay shows; Cancel aborts the request.
    let release: () => void = () => undefined;
    const held = (route: Route) =>
      new Promise<void>((resolve) => (release = resolve)).then(() => route.continue().catch(() => undefined));
    await page.route(SEGMENT_API, held);
    try {
      await clearOutcome(page);
      await page.locator(ONE_CLICK_BUTTON).click();
      const overlay = page.locator(`[data-cy="${DOM_IDS.overlay}"]`);
      await overlay.waitFor({ state: 'visible', timeout: 10000 });
      expect(await overlay.innerText()).toMatch(/Processing/);
      await page.waitForTimeout(1200); // let the elapsed-seconds counter tick once
      await docsScreenshot(page, 'processing-overlay');
      await page.locator(`[data-cy="${DOM_IDS.overlayCancel}"]`).click();
      const cancelled = await waitForOutcome(page);
      expect(cancelled.status).toBe('cancelled');
      await overlay.waitFor({ state: 'hidden', timeout: 10000 });
    } finally {
      release();
      await page.unroute(SEGMENT_API, held);
    }
    const segment = (await activeSegments(page)).find((s) => s.label === structure.segmentLabel);
    if (segment) expect((await segmentSlice(page, segment.segmentIndex)).voxels).toBe(0);

    // Now for real: the default context (Structure), automatic mode.
    const started = Date.now();
    const outcome = await runOneClick(page);
    timings.oneClickAutomaticMs = Date.now() - started;
    expect(outcome.status).toBe('written');
    expect(outcome.voxels).toBeGreaterThan(0);
    expect(outcome.score).toBeGreaterThan(0);

    const written = await segmentByLabel(page, structure.segmentLabel);
    expect(written.color).toEqual(structure.color);
    const slice = await segmentSlice(page, written.segmentIndex);
    expect(slice.voxels).toBe(outcome.voxels);
    // Only this slice changed: its neighbour carries nothing.
    await showInstance(page, otherSlice(1));
    expect((await segmentSlice(page, written.segmentIndex)).voxels).toBe(0);
    await showInstance(page, LIVER_SLICE);
    expect((await segmentSlice(page, written.segmentIndex)).voxels).toBe(outcome.voxels);
    expect(await page.locator(`[data-cy="${DOM_IDS.overlay}"]`).isVisible()).toBe(false);
  });

  it('a point prompt lands where clicked; a box prompt stays inside the box; Shift+click is a negative point', async () => {
    const { page } = viewer;
    await showInstance(page, LIVER_SLICE);
    const hu = await pixelHu(page, ...LIVER_POINT);
    expect(hu).toBeGreaterThan(0);
    expect(hu).toBeLessThan(200); // soft tissue: the liver
    const { segmentIndex } = await segmentByLabel(page, structure.segmentLabel);

    // One-Click left the SAM2 prompt tool active: a click is a positive point. Going to the neighbour slice
    // and back ended the automatic run's interaction, so its result now counts as existing voxels: the
    // viewer asks first, and Replace starts a new interaction on this slice.
    let started = Date.now();
    const point = await promptAndWait(page, async () => {
      await clickPixel(page, LIVER_POINT);
      const dialog = page.locator('[data-cy="viewport-notification"]');
      await dialog.waitFor({ state: 'visible', timeout: 10000 });
      await dialog.locator(`button[name="${DOM_IDS.confirmReplace}"]`).click();
    });
    timings.oneClickPointPromptMs = Date.now() - started;
    expect(point.status).toBe('written');
    const afterPoint = await segmentSlice(page, segmentIndex);
    // lastOutcome.voxels counts the voxels the write changed (here: old mask replaced by the new one).
    expect(point.voxels).toBeGreaterThan(0);
    expect(afterPoint.voxels).toBeGreaterThan(0);
    expect(hasPixel(afterPoint, LIVER_POINT)).toBe(true);
    // The mask is a region around the click, not the whole slice.
    expect(afterPoint.voxels).toBeLessThan(512 * 512 * 0.5);
    const [x0, y0, x1, y1] = afterPoint.bbox!;
    expect(x0 <= LIVER_POINT[0] && LIVER_POINT[0] <= x1 && y0 <= LIVER_POINT[1] && LIVER_POINT[1] <= y1).toBe(
      true,
    );

    // Shift+click: a negative point; the fixture model ignores it, so the result is unchanged.
    const negativeAt: [number, number] = [LIVER_BOX[0] + 20, LIVER_BOX[1] + 20];
    const negative = await promptAndWait(page, () => clickPixel(page, negativeAt, true));
    expect(['unchanged', 'written']).toContain(negative.status);
    if (negative.status === 'unchanged')
      expect((await segmentSlice(page, segmentIndex)).voxels).toBe(afterPoint.voxels);

    // A box around the liver replaces the interaction's result; the mask stays inside the box.
    started = Date.now();
    const box = await promptAndWait(page, () =>
      dragPixels(page, [LIVER_BOX[0], LIVER_BOX[1]], [LIVER_BOX[2], LIVER_BOX[3]]),
    );
    timings.oneClickBoxPromptMs = Date.now() - started;
    expect(box.status).toMatch(/written|unchanged/);
    const afterBox = await segmentSlice(page, segmentIndex);
    expect(afterBox.voxels).toBeGreaterThan(0);
    const inside = voxelsInside(afterBox, LIVER_BOX);
    expect(inside / afterBox.voxels).toBeGreaterThan(0.95);
    await page.mouse.move(5, 5);
    await docsScreenshot(page, 'prompts');
  });

  it('L3 vertebra and Skeletal muscle (L3) each write their own segment with their label and colour', async () => {
    const { page } = viewer;
    const slice = otherSlice(2);
    await showInstance(page, slice);

    await chooseContextFromMenu(page, BUTTON_IDS.contextL3Vertebra, () =>
      docsScreenshot(page, 'context-menu'),
    );
    const vertebraRun = await runOneClick(page);
    expect(vertebraRun.status).toBe('written');
    const vertebra = await segmentByLabel(page, l3.segmentLabel);
    expect(vertebra.color).toEqual(l3.color);
    expect((await segmentSlice(page, vertebra.segmentIndex)).voxels).toBe(vertebraRun.voxels);
    // Then a click on the vertebral body (bone in the middle of the body, behind the aorta) refines it.
    const body = await findPixelByHu(page, [200, 300, 320, 400], 180, 1200);
    expect(body).toBeDefined();
    const refined = await promptAndWait(page, () => clickPixel(page, body!));
    expect(refined.status).toMatch(/written|unchanged/);
    const vertebraSlice = await segmentSlice(page, vertebra.segmentIndex);
    expect(hasPixel(vertebraSlice, body!)).toBe(true);
    await page.mouse.move(5, 5);
    await docsScreenshot(page, 'result-l3-vertebra');

    await chooseContextFromMenu(page, BUTTON_IDS.contextSkeletalMuscle);
    const muscleRun = await runOneClick(page);
    expect(muscleRun.status).toBe('written');
    const muscleSegment = await segmentByLabel(page, muscle.segmentLabel);
    expect(muscleSegment.color).toEqual(muscle.color);
    expect(muscleSegment.segmentIndex).not.toBe(vertebra.segmentIndex);
    expect(muscleSegment.segmentationId).toBe(vertebra.segmentationId);
    const muscleSlice = await segmentSlice(page, muscleSegment.segmentIndex);
    expect(muscleSlice.voxels).toBeGreaterThan(0);

    // All three contexts' segments live side by side in one segmentation, each label exactly once.
    const labels = (await activeSegments(page)).map((s) => s.label);
    for (const context of [structure, l3, muscle]) {
      expect(labels.filter((l) => l === context.segmentLabel)).toHaveLength(1);
    }
    // The muscle run never touched the vertebra's voxels outside the muscle mask.
    const vertebraAfter = await segmentSlice(page, vertebra.segmentIndex);
    const muscleSet = new Set(muscleSlice.indices);
    expect(vertebraAfter.indices).toEqual(vertebraSlice.indices.filter((i) => !muscleSet.has(i)));
    expect(vertebraAfter.voxels + muscleSlice.voxels).toBeGreaterThanOrEqual(vertebraSlice.voxels);

    await runCommand(page, COMMANDS.setContext, { contextId: 'structure' });
  });

  it('undo removes a SAM2 result and redo restores it; undoing a refinement goes back to the previous result', async () => {
    const { page } = viewer;
    await showInstance(page, otherSlice(3));
    const first = await runOneClick(page);
    expect(first.status).toBe('written');
    const { segmentIndex } = await segmentByLabel(page, structure.segmentLabel);
    const n = (await segmentSlice(page, segmentIndex)).voxels;
    expect(n).toBe(first.voxels);

    const undo = page.locator('[data-cy="undo-btn"]');
    const redo = page.locator('[data-cy="redo-btn"]');
    await undo.click();
    await expectVoxels(segmentIndex, 0);
    await redo.click();
    await expectVoxels(segmentIndex, n);

    // A box refinement in the same interaction, then undo → the automatic result again, redo → the box.
    const box = await promptAndWait(page, () => dragPixels(page, [200, 200], [320, 320]));
    expect(box.status).toMatch(/written|unchanged/);
    const refined = await segmentSlice(page, segmentIndex);
    if (box.status === 'written') {
      await undo.click();
      await expectVoxels(segmentIndex, n);
      await redo.click();
      await expectVoxels(segmentIndex, refined.voxels);
    }
  });

  async function expectVoxels(segmentIndex: number, expected: number): Promise<void> {
    const { page } = viewer;
    const deadline = Date.now() + 10000;
    let last = -1;
    while (Date.now() < deadline) {
      last = (await segmentSlice(page, segmentIndex)).voxels;
      if (last === expected) return;
      await page.waitForTimeout(100);
    }
    expect(last).toBe(expected);
  }
});
