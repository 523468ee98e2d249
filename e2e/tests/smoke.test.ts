import type { Browser } from 'playwright-core';
import { DISPLAY_NAME, ROUTE_NAME } from '../../mode/src/ids';
import { launchChromium } from '../helpers/chromium';
import { currentLayout, setLayout } from '../helpers/layout';
import type { OhifWindow } from '../helpers/ohifWindow';
import { pollUntil } from '../helpers/poll';
import { describeInBrowser } from '../helpers/describeInBrowser';
import { screenshotPage, screenshotViewport } from '../helpers/screenshots';
import { e2eUrls } from '../helpers/servers';
import { totalSegExample } from '../helpers/testData';
import { recordTimings } from '../helpers/timings';
import { OhifViewerPage } from '../helpers/viewerPage';
import { activeLabelmapVoxelCount, activeViewport, viewportCanvasStats } from '../helpers/viewportState';

const EXTENSION_ID = '@ohif-sam2/extension-sam2';
const ONE_CLICK_BUTTON = 'sam2-one-click-segmentation';

describeInBrowser('smoke: stock OHIF 3.13 with our extension and mode, real CT from local files', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;

  beforeAll(async () => {
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    // Every Content-Security-Policy violation of the page, as the browser reports it.
    await viewer.page.addInitScript(() => {
      const violations: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = violations;
      document.addEventListener('securitypolicyviolation', (e) =>
        violations.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
    });
  });
  afterAll(async () => {
    await viewer?.close();
    await browser?.close();
  });

  it('loads the viewer with our extension registered from its URL', async () => {
    const started = Date.now();
    await viewer.gotoLocalFiles();
    recordTimings({ localFilesPageMs: Date.now() - started });
    expect(await viewer.page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    expect(await viewer.registeredExtensionIds()).toContain(EXTENSION_ID);
  });

  it('opens the dropped CT study in our mode from the study list and renders the slice', async () => {
    const started = Date.now();
    await viewer.loadLocalFiles(totalSegExample.files(), totalSegExample.patientName);
    await viewer.launchFromStudyList(totalSegExample.patientName, DISPLAY_NAME);
    const shown = await viewer.waitForImage();
    recordTimings({
      viewerServerStartMs: Number(process.env.E2E_VIEWER_START_MS),
      filesToFirstImageMs: Date.now() - started,
    });
    await viewer.dismissInvestigationalUseBanner();

    expect(new URL(viewer.page.url()).pathname).toBe(`/${ROUTE_NAME}/dicomlocal`);
    expect(new URL(viewer.page.url()).searchParams.get('StudyInstanceUIDs')).toBe(
      totalSegExample.studyInstanceUid,
    );
    expect(shown.type).toBe('stack');
    const stats = await viewportCanvasStats(viewer.page);
    expect(stats!.litFraction).toBeGreaterThan(0.2);
    await screenshotViewport(viewer.page, 'smoke-stack-viewport');
  });

  it('shows the SAM2 One-Click Segmentation button, enabled once the service answers ready through the proxy', async () => {
    await expect(viewer.toolbarButton(ONE_CLICK_BUTTON).isVisible()).resolves.toBe(true);
    await pollUntil(
      () => viewer.toolbarButton(`${ONE_CLICK_BUTTON}-btn`).isEnabled(),
      (enabled) => enabled,
      { what: 'the SAM2 button to be enabled' },
    );
    await screenshotPage(viewer.page, 'smoke-sam2-mode');
  });

  it('switches to MPR and back; the labelmap helper reads the active segmentation', async () => {
    await setLayout(viewer.page, 'mpr');
    expect(await currentLayout(viewer.page)).toBe('mpr');
    await viewer.waitForImage();
    await screenshotPage(viewer.page, 'smoke-mpr');

    await setLayout(viewer.page, 'stack');
    const { viewportId } = (await activeViewport(viewer.page))!;
    expect(await activeLabelmapVoxelCount(viewer.page)).toBeUndefined();
    await viewer.page.evaluate(
      (id) =>
        (window as unknown as OhifWindow).commandsManager.runCommand('createLabelmapForViewport', {
          viewportId: id,
        }),
      viewportId,
    );
    const count = await pollUntil(
      () => activeLabelmapVoxelCount(viewer.page),
      (c) => c !== undefined,
      { what: 'a labelmap for the shown slice' },
    );
    expect(count!.voxels).toBe(0);
  });

  it("runs under the viewer's Content-Security-Policy without a violation", async () => {
    const page = await fetch(`${e2eUrls().viewerUrl}/local`);
    expect(page.headers.get('content-security-policy')).toMatch(/(^|; )frame-ancestors 'self'/);
    const violations = await viewer.page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    );
    expect(violations).toEqual([]);
    expect(viewer.problems.filter((p) => /Content Security Policy/i.test(p))).toEqual([]);
  });
});

describeInBrowser('local-files study opened directly by its mode route', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;
  beforeAll(async () => {
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
  });
  afterAll(async () => {
    await viewer?.close();
    await browser?.close();
  });

  it('navigates inside the app to /<routeName>/dicomlocal?StudyInstanceUIDs=<uid>', async () => {
    await viewer.gotoLocalFiles();
    await viewer.loadLocalFiles(totalSegExample.files(), totalSegExample.patientName);
    await viewer.openStudyInMode(ROUTE_NAME, totalSegExample.studyInstanceUid);
    const shown = await viewer.waitForImage();
    expect(shown.type).toBe('stack');
    expect(new URL(viewer.page.url()).pathname).toBe(`/${ROUTE_NAME}/dicomlocal`);
    await expect(viewer.toolbarButton(ONE_CLICK_BUTTON).isVisible()).resolves.toBe(true);
  });
});
