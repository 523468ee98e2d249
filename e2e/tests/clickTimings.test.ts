/**
 * Where the time of a click goes in the browser (issue 9, item 4): point prompts on a 512 × 512 CT slice
 * of the real example study, in the real viewer against the real service (FIXTURE model). Each run's
 * breakdown (window.sam2.lastOutcome.timings, from the extension's User Timing marks) goes to
 * artifacts/e2e-timings.json with the median browser share; nothing here asserts a duration (the machine
 * is shared), only that every part of the breakdown was measured, that the parts add up, and that the
 * frame ending the render step really shows the result (canvas pixels at the clicked point, read as
 * Cornerstone paints; the full renders until then are recorded too).
 */
import type { Browser } from 'playwright-core';
import { getContext } from '../../extension/src/contexts';
import { COMMANDS } from '../../extension/src/id';
import type { ClickTimings as Timings } from '../../extension/src/run/clickTimer';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  clickPixel,
  LIVER_POINT,
  LIVER_SLICE,
  openExampleCtInSam2Mode,
  promptAndWait,
  runCommand,
  segmentByLabel,
  segmentSlice,
  showInstance,
  slicePixelToPage,
} from '../helpers/sam2';
import {
  aimPaintProbe,
  canvasRgbAt,
  installPaintProbe,
  paintOfLastClick,
  type PaintOfClick,
} from '../helpers/paintProbe';
import { pollUntil } from '../helpers/poll';
import { e2eUrls } from '../helpers/servers';
import { recordTimings } from '../helpers/timings';
import { OhifViewerPage } from '../helpers/viewerPage';

const PARTS = [
  'readSliceMs',
  'serialiseMs',
  'uploadMs',
  'serviceMs',
  'parseMs',
  'rleDecodeMs',
  'labelmapWriteMs',
  'renderMs',
] as const;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

describeInBrowser('The browser share of a click (timing breakdown)', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;

  beforeAll(async () => {
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    await openExampleCtInSam2Mode(viewer);
  });
  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
  });

  it('point prompts on a 512 × 512 slice: every step is measured, the parts add up, the breakdown is recorded', async () => {
    const { page } = viewer;
    // The first click must upload the pixels here; speculative encoding has its own test.
    await page.evaluate(() => {
      const config = (window as unknown as { config: { sam2: Record<string, unknown> } }).config;
      config.sam2.speculativeEncoding = false;
    });
    await showInstance(page, LIVER_SLICE);
    await runCommand(page, COMMANDS.activatePromptTool);
    await installPaintProbe(page);
    // Each click is undone before the next, so each starts a fresh interaction on an empty slice and
    // writes a new mask; the first uploads the pixels, the others reuse the image_id (as after a
    // speculative encode). Other points each time: no result-cache hits.
    const points = Array.from({ length: 7 }, (_, i): [number, number] => [
      LIVER_POINT[0] + (i % 3) * 4,
      LIVER_POINT[1] + Math.floor(i / 3) * 4,
    ]);
    const onPage = await Promise.all(points.map(([c, r]) => slicePixelToPage(page, c, r)));
    // The slice as shown before any result: the grey level under each point.
    const before = await Promise.all(onPage.map((p) => canvasRgbAt(page, p)));
    const runs: Timings[] = [];
    const paints: PaintOfClick[] = [];
    for (let i = 0; i < points.length; i++) {
      await aimPaintProbe(page, onPage[i]);
      const outcome = await promptAndWait(page, () => clickPixel(page, points[i]));
      expect(outcome.status).toBe('written');
      const timings = (outcome as unknown as { timings?: Timings }).timings;
      expect(timings).toBeDefined();
      runs.push(timings!);
      // The frame that ended the render step shows the result: the clicked pixel is no longer the
      // slice's grey (the labelmap's fill is drawn over it).
      const paint = await paintOfLastClick(page);
      expect(paint.rendersUntilPaint).toBeGreaterThanOrEqual(1);
      expect(paint.rgbAtPaint).not.toBeNull();
      const change = Math.max(...paint.rgbAtPaint!.map((v, k) => Math.abs(v - before[i][k])));
      expect(change).toBeGreaterThan(10);
      paints.push(paint);
      const { segmentIndex } = await segmentByLabel(page, getContext('structure').segmentLabel);
      await page.locator('[data-cy="undo-btn"]').click();
      await pollUntil(
        async () => (await segmentSlice(page, segmentIndex)).voxels,
        (n) => n === 0,
        { timeoutMs: 10000, intervalMs: 100, what: 'the undone slice to be empty' },
      );
    }
    const [first, ...later] = runs;
    expect(first.uploadedPixels).toBe(true);
    for (const t of later) expect(t.uploadedPixels).toBe(false);
    for (const t of runs) {
      for (const part of PARTS) expect(t[part]).toBeGreaterThanOrEqual(0);
      expect(t.browserMs).toBeCloseTo(t.totalMs - t.serviceMs, 0);
      // The named parts never exceed the whole (what is left is the controller's own glue).
      const parts = PARTS.reduce((sum, p) => sum + t[p], 0);
      expect(parts).toBeLessThanOrEqual(t.totalMs + 1);
    }
    const record: Record<string, number> = {
      clickBrowserShareP50Ms: median(later.map((t) => t.browserMs)),
      clickBrowserShareWithoutRenderP50Ms: median(later.map((t) => t.browserMs - t.renderMs)),
      clickTotalP50Ms: median(later.map((t) => t.totalMs)),
      clickFirstUploadBrowserShareMs: first.browserMs,
      clickRendersUntilPaintP50: median(paints.slice(1).map((p) => p.rendersUntilPaint)),
      clickFirstUploadRendersUntilPaint: paints[0].rendersUntilPaint,
    };
    for (const part of PARTS) record[`click_${part}_p50`] = median(later.map((t) => t[part]));
    for (const part of PARTS) record[`clickFirstUpload_${part}`] = first[part];
    recordTimings(record);
  });
});
