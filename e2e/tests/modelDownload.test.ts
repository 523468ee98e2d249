/**
 * First start seen from the real viewer: the SAM2 service downloads its model from the project's local
 * imitation of the hub (the onnx-community FIXTURE files under the real repo paths), throttled so the
 * "downloading" state lasts while the CT loads. The button says "SAM2 model downloading (NN %)" and
 * enables itself when the model is ready, with no reload and no nudge from the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DISPLAY_NAME } from '../../mode/src/ids';
import { startServiceProcess, type ServiceProcess } from '../../sam2-service/scripts/lib/serviceProcess';
import { writeFixtureModel } from '../../sam2-service/scripts/fixture/writeFixtureModel';
import type { FakeModelHub } from '../../sam2-service/test/helpers/fakeModelHub';
import { startFixtureHub } from '../../sam2-service/test/helpers/fixtureHub';
import { startViewerProcess, type ViewerProcess } from '../../viewer/test/helpers/viewerProcess';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import { pollUntil } from '../helpers/poll';
import {
  ONE_CLICK_BUTTON,
  oneClickDisabledText,
  runOneClick,
  showInstance,
  LIVER_SLICE,
} from '../helpers/sam2';
import { screenshotPage } from '../helpers/screenshots';
import { totalSegExample } from '../helpers/testData';
import { OhifViewerPage } from '../helpers/viewerPage';

describeInBrowser('first start: the model downloads while the viewer is open', () => {
  let root: string;
  let hub: FakeModelHub;
  let totalBytes: number;
  let service: ServiceProcess;
  let viewerServer: ViewerProcess;
  let browser: Browser;
  let viewer: OhifViewerPage;
  let page: Page;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'e2e-first-start-'));
    const fixture = path.join(root, 'fixture');
    await writeFixtureModel({ family: 'onnx-community', outDir: fixture });
    ({ hub, totalBytes } = await startFixtureHub(fixture));
    // A trickle (~0.5 % a second) until the test opens the tap.
    hub.throttleBytesPerSecond = Math.max(20, Math.floor(totalBytes / 200));
    service = await startServiceProcess({
      SAM2_MODEL_DIR: path.join(root, 'models', 'sam2.1-hiera-tiny'),
      SAM2_MODEL_AUTO_FETCH: 'true',
      SAM2_HUB_URL: hub.url,
    });
    viewerServer = await startViewerProcess({
      SAM2_SERVICE_URL: service.url,
      VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR ?? '',
    });
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, viewerServer.url);
    page = viewer.page;
  });
  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await viewerServer?.stop();
    await service?.stop();
    await hub?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows "SAM2 model downloading (NN %)", then enables itself without a reload', async () => {
    await viewer.gotoLocalFiles();
    await viewer.loadLocalFiles(totalSegExample.files(), totalSegExample.patientName);
    await viewer.launchFromStudyList(totalSegExample.patientName, DISPLAY_NAME);
    await viewer.waitForImage();
    await viewer.dismissInvestigationalUseBanner();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const downloading = await pollUntil(
      () => oneClickDisabledText(page),
      (t) => /^SAM2 model downloading \(\d+ %\)$/.test(t ?? ''),
      { timeoutMs: 60_000, intervalMs: 250, what: 'the downloading text' },
    );
    expect(await page.locator(ONE_CLICK_BUTTON).isDisabled()).toBe(true);
    // The percentage the button shows is the service's own, read independently from its /readyz.
    const shown = Number(/\((\d+) %\)/.exec(downloading!)![1]);
    const readyz = (await (await fetch(`${service.url}/readyz`)).json()) as { download: { percent: number } };
    expect(readyz.download.percent).toBeGreaterThanOrEqual(shown);
    await screenshotPage(page, 'model-downloading');

    hub.throttleBytesPerSecond = totalBytes; // the rest arrives in about a second
    await pollUntil(
      () => page.locator(ONE_CLICK_BUTTON).isDisabled(),
      (disabled) => !disabled,
      { timeoutMs: 120_000, intervalMs: 250, what: 'the button to enable itself' },
    );
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    await showInstance(page, LIVER_SLICE);
    const outcome = await runOneClick(page);
    expect(outcome.status).toBe('written');
  });
});
