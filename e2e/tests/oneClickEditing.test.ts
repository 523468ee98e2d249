/**
 * SAM2 results next to manual work, in the real viewer on the real example CT against the real SAM2 service
 * (FIXTURE model): the Replace / Add / Cancel question when the target segment already has voxels on the
 * slice, brush and eraser on a SAM2 result (manual → SAM2 → manual), and a result in the MPR axial viewport.
 */
import type { Browser, Page } from 'playwright-core';
import { getContext } from '../../extension/src/contexts';
import { DOM_IDS } from '../../extension/src/id';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import { setLayout } from '../helpers/layout';
import {
  clearOutcome,
  clickPixel,
  docsScreenshot,
  dragPixels,
  hasPixel,
  instanceNumbers,
  LIVER_POINT,
  LIVER_SLICE,
  ONE_CLICK_BUTTON,
  openExampleCtInSam2Mode,
  promptAndWait,
  runOneClick,
  segmentByLabel,
  segmentSlice,
  type SegmentSlice,
  showInstance,
  waitForOutcome,
} from '../helpers/sam2';
import { e2eUrls } from '../helpers/servers';
import { recordTimings } from '../helpers/timings';
import { OhifViewerPage } from '../helpers/viewerPage';
import { activeViewport } from '../helpers/viewportState';

const structure = getContext('structure');
const DIALOG = '[data-cy="viewport-notification"]';

/** Slice pixel of a candidate at least `margin` pixels away from the mask's bounding box. */
function awayFrom(slice: SegmentSlice, margin = 60): [number, number] {
  const candidates: Array<[number, number]> = [
    [400, 300],
    [120, 300],
    [256, 140],
    [256, 420],
    [380, 180],
    [140, 180],
  ];
  const [x0, y0, x1, y1] = slice.bbox ?? [0, 0, -1, -1];
  const found = candidates.find(
    ([x, y]) => x < x0 - margin || x > x1 + margin || y < y0 - margin || y > y1 + margin,
  );
  if (!found) throw new Error(`no brush spot away from the mask ${JSON.stringify(slice.bbox)}`);
  return found;
}

const sorted = (a: Iterable<number>) => [...a].sort((x, y) => x - y);

describeInBrowser('SAM2 and manual editing: Replace / Add / Cancel, brush and eraser, MPR', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;
  let page: Page;
  let slices: number[];
  let segmentIndex: number;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    page = viewer.page;
    const started = Date.now();
    await openExampleCtInSam2Mode(viewer);
    timings.editingFileStudyOpenMs = Date.now() - started;
    slices = await instanceNumbers(page);
  });
  afterAll(async () => {
    recordTimings(timings);
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
  });

  async function voxelsSettled(expected: (s: SegmentSlice) => boolean, what: string): Promise<SegmentSlice> {
    const deadline = Date.now() + 10000;
    let last = await segmentSlice(page, segmentIndex);
    while (!expected(last) && Date.now() < deadline) {
      await page.waitForTimeout(100);
      last = await segmentSlice(page, segmentIndex);
    }
    if (!expected(last)) throw new Error(`${what}: ${last.voxels} voxels`);
    return last;
  }

  /** A brush (or eraser) stroke: selects the tool, drags across slice pixels, waits for the labelmap. */
  async function stroke(
    tool: 'Brush' | 'Eraser',
    from: [number, number],
    to: [number, number],
  ): Promise<SegmentSlice> {
    const before = await segmentSlice(page, segmentIndex);
    await page.locator(`[data-cy="${tool}"]`).first().click();
    await page.mouse.move(5, 5);
    await dragPixels(page, from, to, 12);
    await page.waitForTimeout(600); // double-click detection window before the next press
    return voxelsSettled((s) => s.voxels !== before.voxels, `the ${tool} stroke changed nothing`);
  }

  /** One-Click on a slice that already has voxels: the question, answered with `answer`. */
  async function oneClickWithQuestion(
    answer: 'confirmReplace' | 'confirmAdd' | 'confirmCancel',
    beforeAnswer?: () => Promise<unknown>,
  ) {
    await clearOutcome(page);
    await page.locator(ONE_CLICK_BUTTON).click();
    const dialog = page.locator(DIALOG);
    await dialog.waitFor({ state: 'visible', timeout: 10000 });
    expect(await dialog.locator('button[name^="sam2-confirm-"]').count()).toBe(3);
    if (beforeAnswer) await beforeAnswer();
    await dialog.locator(`button[name="${DOM_IDS[answer]}"]`).click();
    const outcome = await waitForOutcome(page);
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    return outcome;
  }

  it('with manual voxels on the slice, the viewer asks first: Cancel writes nothing, Add = union, Replace replaces', async () => {
    await showInstance(page, slices[2]);
    // What SAM2 writes on this slice (automatic mode is deterministic), then undone: the slice is empty again.
    const first = await runOneClick(page);
    expect(first.status).toBe('written');
    segmentIndex = (await segmentByLabel(page, structure.segmentLabel)).segmentIndex;
    const sam2 = await segmentSlice(page, segmentIndex);
    expect(sam2.voxels).toBe(first.voxels);
    await page.locator('[data-cy="undo-btn"]').click();
    await voxelsSettled((s) => s.voxels === 0, 'undo left voxels');

    // A manual stroke away from where SAM2 segments, in the SAM2 segment (the active one).
    const spot = awayFrom(sam2);
    const manual = await stroke('Brush', spot, [spot[0] + 15, spot[1] + 5]);
    expect(manual.voxels).toBeGreaterThan(0);
    expect(manual.indices.filter((i) => sam2.indices.includes(i))).toEqual([]);

    // Cancel: nothing sent, nothing written.
    const cancelled = await oneClickWithQuestion('confirmCancel', () =>
      docsScreenshot(page, 'confirm-dialog'),
    );
    expect(['declined', 'cancelled']).toContain(cancelled.status);
    expect((await segmentSlice(page, segmentIndex)).indices).toEqual(manual.indices);

    // Add: the union of the manual voxels and the SAM2 result.
    const added = await oneClickWithQuestion('confirmAdd');
    expect(added.status).toBe('written');
    const union = await segmentSlice(page, segmentIndex);
    expect(union.indices).toEqual(sorted(new Set([...manual.indices, ...sam2.indices])));

    // More manual work (ends the interaction), then Replace: exactly the SAM2 result remains.
    const spot2: [number, number] = [spot[0], spot[1] + 30];
    const manual2 = await stroke('Brush', spot2, [spot2[0] + 10, spot2[1]]);
    expect(manual2.voxels).toBeGreaterThan(union.voxels);
    const replaced = await oneClickWithQuestion('confirmReplace');
    expect(replaced.status).toBe('written');
    expect((await segmentSlice(page, segmentIndex)).indices).toEqual(sam2.indices);
  });

  it('brush and eraser change a SAM2 result; manual → SAM2 → manual on one slice keeps both working', async () => {
    await showInstance(page, slices[4]);
    const run = await runOneClick(page);
    expect(run.status).toBe('written');
    // A click in the liver refines it (same interaction: no question).
    const point = await promptAndWait(page, () => clickPixel(page, LIVER_POINT));
    expect(point.status).toMatch(/written|unchanged/);
    const sam2 = await segmentSlice(page, segmentIndex);
    expect(hasPixel(sam2, LIVER_POINT)).toBe(true);

    // Brush beside the SAM2 mask: more voxels, the SAM2 ones kept.
    const [x0, y0, x1, y1] = sam2.bbox!;
    const cy = Math.round((y0 + y1) / 2);
    const brushed = await stroke('Brush', [x1 + 8, cy], [x1 + 25, cy + 10]);
    expect(brushed.voxels).toBeGreaterThan(sam2.voxels);
    expect(sam2.indices.every((i) => brushed.indices.includes(i))).toBe(true);
    await page.mouse.move(5, 5);
    await docsScreenshot(page, 'brush-after-sam2');

    // Eraser through the middle of the SAM2 mask: fewer voxels.
    const erased = await stroke('Eraser', [x0, cy], [x1, cy]);
    expect(erased.voxels).toBeLessThan(brushed.voxels);
    expect(erased.indices.every((i) => brushed.indices.includes(i))).toBe(true);

    // SAM2 again on the edited slice: the question protects the manual work; Add keeps it.
    const again = await oneClickWithQuestion('confirmAdd');
    expect(['written', 'unchanged']).toContain(again.status);
    const afterSam2 = await segmentSlice(page, segmentIndex);
    expect(erased.indices.every((i) => afterSam2.indices.includes(i))).toBe(true);
    // The button starts over in automatic mode: its mask is added on top of the edited voxels.
    if (again.status === 'written') expect(afterSam2.voxels).toBeGreaterThan(erased.voxels);

    // And the brush still paints afterwards.
    const brushedAgain = await stroke('Brush', [x0 - 25, cy], [x0 - 10, cy + 10]);
    expect(brushedAgain.voxels).toBeGreaterThan(afterSam2.voxels);
    expect(afterSam2.indices.every((i) => brushedAgain.indices.includes(i))).toBe(true);
  });

  it('MPR layout: One-Click in the axial viewport writes a result on the axial slice', async () => {
    await setLayout(page, 'mpr');
    await page.evaluate(() =>
      (
        window as unknown as { services: { viewportGridService: { setActiveViewportId(id: string): void } } }
      ).services.viewportGridService.setActiveViewportId('mpr-axial'),
    );
    await page.waitForFunction(
      () =>
        (
          window as unknown as { services: { viewportGridService: { getActiveViewportId(): string } } }
        ).services.viewportGridService.getActiveViewportId() === 'mpr-axial',
    );
    expect((await activeViewport(page))!.type).toBe('orthographic');
    await page.locator(`${ONE_CLICK_BUTTON}:not([disabled])`).waitFor({ timeout: 30000 });

    const before = await segmentSlice(page, segmentIndex);
    await clearOutcome(page);
    const started = Date.now();
    await page.locator(ONE_CLICK_BUTTON).click();
    // The axial slice may already carry voxels of an earlier test: then the question comes first.
    const dialog = page.locator(DIALOG);
    const outcomeOrDialog = await Promise.race([
      waitForOutcome(page).then(() => 'outcome' as const),
      dialog.waitFor({ state: 'visible', timeout: 45000 }).then(() => 'dialog' as const),
    ]);
    if (outcomeOrDialog === 'dialog' && before.voxels > 0)
      await dialog.locator(`button[name="${DOM_IDS.confirmReplace}"]`).click();
    const outcome = await waitForOutcome(page);
    timings.oneClickMprMs = Date.now() - started;
    expect(outcome.status).toBe('written');
    expect((await segmentSlice(page, segmentIndex)).voxels).toBeGreaterThan(0);

    // A point prompt in the axial viewport lands where clicked (the liver, when the liver slice is shown).
    await page.waitForTimeout(600);
    const shown = await instanceNumbers(page).then(async (numbers) => {
      const info = await activeViewport(page);
      return numbers[info!.imageIndex ?? -1];
    });
    const point = await promptAndWait(page, () => clickPixel(page, LIVER_POINT));
    expect(point.status).toMatch(/written|unchanged/);
    const after = await segmentSlice(page, segmentIndex);
    expect(after.voxels).toBeGreaterThan(0);
    if (shown === LIVER_SLICE) expect(hasPixel(after, LIVER_POINT)).toBe(true);
    await page.mouse.move(5, 5);
    await docsScreenshot(page, 'mpr-result');

    await setLayout(page, 'stack');
  });
});
