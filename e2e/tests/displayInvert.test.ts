/**
 * What the user sees is what SAM2 sees (field case b03): with OHIF's Invert on, the request says so and the
 * service encodes another image (another image_id); a MONOCHROME1 slice, shown inverted by Cornerstone,
 * is sent as inverted until the user switches Invert off. Real viewer, real service (FIXTURE model).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { COMMANDS } from '../../extension/src/id';
import { DISPLAY_NAME } from '../../mode/src/ids';
import { canvasColourAt } from '../helpers/canvasMarkers';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  clickPixel,
  pixelHu,
  promptAndWait,
  runCommand,
  slicePixelToPage,
  waitForOneClickEnabled,
} from '../helpers/sam2';
import { e2eUrls } from '../helpers/servers';
import { invertFieldCase } from '../helpers/testData';
import { OhifViewerPage } from '../helpers/viewerPage';

const describeWithCase = existsSync(invertFieldCase.file) ? describeInBrowser : describe.skip;
if (!existsSync(invertFieldCase.file))
  console.warn(`Field case b03 not found at ${invertFieldCase.file}: skipped.`);

type Json = Record<string, unknown> & { window?: Record<string, unknown> };

/** The segmentation requests the page sends and the service's answers, as the network carries them. */
function captureSegmentCalls(page: Page): { bodies: Json[]; answers: Json[] } {
  const calls = { bodies: [] as Json[], answers: [] as Json[] };
  const isSegment = (url: string, method: string) =>
    method === 'POST' && url.endsWith('/api/segmentation/sam2');
  page.on('request', (request) => {
    if (isSegment(request.url(), request.method())) calls.bodies.push(request.postDataJSON() as Json);
  });
  page.on('response', (response) => {
    if (!isSegment(response.url(), response.request().method())) return;
    void response.json().then(
      (body) => calls.answers.push(body as Json),
      () => calls.answers.push({}),
    );
  });
  return calls;
}

/** Mean grey level of the on-screen canvas around a page point (3 × 3 canvas pixels). */
async function canvasLevelAt(page: Page, at: { x: number; y: number }): Promise<number> {
  const [r, g, b] = await canvasColourAt(page, at);
  return (r + g + b) / 3;
}

/** Sets the active viewport's Invert as OHIF's Invert button does (viewport.setProperties). */
async function setInvert(page: Page, invert: boolean): Promise<void> {
  await page.evaluate((value) => {
    const w = window as unknown as {
      services: {
        viewportGridService: { getActiveViewportId(): string };
        cornerstoneViewportService: {
          getCornerstoneViewport(id: string): { setProperties(p: object): void; render(): void };
        };
      };
    };
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
      w.services.viewportGridService.getActiveViewportId(),
    );
    viewport.setProperties({ invert: value });
    viewport.render();
  }, invert);
}

/** Waits until the canvas level at `at` satisfies `ok` (a render is asynchronous). */
async function waitForLevel(page: Page, at: { x: number; y: number }, ok: (level: number) => boolean) {
  const deadline = Date.now() + 10000;
  let level = await canvasLevelAt(page, at);
  while (!ok(level) && Date.now() < deadline) {
    await page.waitForTimeout(100);
    level = await canvasLevelAt(page, at);
  }
  return level;
}

async function waitForAnswers(calls: { answers: Json[] }, count: number): Promise<void> {
  const deadline = Date.now() + 10000;
  while (calls.answers.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describeWithCase('Invert: the request carries what the viewer shows (field case b03)', () => {
  let browser: Browser;
  let tempDir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'sam2-invert-'));
  });
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    rmSync(tempDir, { recursive: true, force: true });
  });

  async function openSlice(file: string): Promise<OhifViewerPage> {
    const viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    // The display fields under test travel with the pixels: keep them on the click's own request by
    // refusing speculative encodes here (speculativeEncoding.test.ts covers /encode, built from the same input).
    await viewer.page.route('**/api/segmentation/sam2/encode', (route) => route.abort());
    await viewer.gotoLocalFiles();
    await viewer.loadLocalFiles([file], invertFieldCase.patientName);
    await viewer.launchFromStudyList(invertFieldCase.patientName, DISPLAY_NAME);
    await viewer.waitForImage();
    await viewer.dismissInvestigationalUseBanner();
    await waitForOneClickEnabled(viewer.page);
    await runCommand(viewer.page, COMMANDS.activatePromptTool);
    return viewer;
  }

  it('MONOCHROME2 with Invert on: invert true, another image_id than without', async () => {
    const viewer = await openSlice(invertFieldCase.file);
    try {
      const { page } = viewer;
      const calls = captureSegmentCalls(page);
      const liver = invertFieldCase.liver;
      const hu = await pixelHu(page, liver[0], liver[1]);
      expect(hu).toBeGreaterThan(0); // soft tissue: the liver
      expect(hu).toBeLessThan(200);
      // Invert really inverts the screen at the click target (grey g becomes about 255 - g); checked
      // before any mask is drawn over it.
      const at = await slicePixelToPage(page, liver[0], liver[1]);
      const shown = await canvasLevelAt(page, at);
      await setInvert(page, true);
      const inverted = await waitForLevel(page, at, (level) => Math.abs(level + shown - 255) <= 6);
      expect(Math.abs(inverted + shown - 255)).toBeLessThanOrEqual(6);
      await setInvert(page, false);
      await waitForLevel(page, at, (level) => Math.abs(level - shown) <= 3);

      const plain = await promptAndWait(page, () => clickPixel(page, liver));
      expect(plain.status).toBe('written');
      await waitForAnswers(calls, 1);
      // The header's window (WC 40 / WW 300, DICOM LINEAR) is the one on screen.
      expect(calls.bodies[0]).toMatchObject({
        photometric: 'MONOCHROME2',
        invert: false,
        window: { center: 40, width: 300, voi_lut_function: 'LINEAR' },
      });
      const plainId = calls.answers[0].image_id as string;
      expect(plainId).toMatch(/^[0-9a-f]{64}$/);

      await setInvert(page, true);
      const again = await promptAndWait(page, () => clickPixel(page, liver));
      expect(['written', 'unchanged']).toContain(again.status);
      await waitForAnswers(calls, 2);
      expect(calls.bodies[1]).toMatchObject({ photometric: 'MONOCHROME2', invert: true });
      expect(typeof calls.bodies[1].image_data).toBe('string'); // a new display: the pixels are sent again
      expect(calls.answers[1].image_id).toMatch(/^[0-9a-f]{64}$/);
      expect(calls.answers[1].image_id).not.toBe(plainId);
      expect(calls.answers[1].cached).toBe(false);
    } finally {
      await viewer.close();
    }
  });

  it('MONOCHROME1 is shown and sent inverted; with Invert switched off it is sent plain', async () => {
    // The same slice labelled MONOCHROME1 (same length value, so the file stays valid).
    const bytes = readFileSync(invertFieldCase.file);
    const at = bytes.indexOf('MONOCHROME2');
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf('MONOCHROME2', at + 1)).toBe(-1);
    bytes.write('MONOCHROME1', at, 'latin1');
    const file = path.join(tempDir, 'monochrome1_256.dcm');
    writeFileSync(file, bytes);

    const viewer = await openSlice(file);
    try {
      const { page } = viewer;
      const calls = captureSegmentCalls(page);
      const liver = invertFieldCase.liver;
      const first = await promptAndWait(page, () => clickPixel(page, liver));
      expect(first.status).toBe('written');
      await waitForAnswers(calls, 1);
      expect(calls.bodies[0]).toMatchObject({ photometric: 'MONOCHROME1', invert: true });

      await setInvert(page, false);
      const second = await promptAndWait(page, () => clickPixel(page, liver));
      expect(['written', 'unchanged']).toContain(second.status);
      await waitForAnswers(calls, 2);
      expect(calls.bodies[1]).toMatchObject({ photometric: 'MONOCHROME1', invert: false });
      expect(calls.answers[1].image_id).not.toBe(calls.answers[0].image_id);
    } finally {
      await viewer.close();
    }
  });
});
