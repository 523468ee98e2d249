/**
 * The viewer reads the service's limits (GET /api/segmentation/info through the proxy) and refuses a slice
 * the service would refuse, before uploading it (field case c08). This file starts its OWN SAM2 service
 * (FIXTURE model) with SAM2_MAX_IMAGE_SIDE=256 and its own viewer server; the example CT's slices are
 * 512 × 512, so One-Click must show the "too large" toast and send no segmentation request.
 */
import type { Browser, Page } from 'playwright-core';
import { startServiceProcess, type ServiceProcess } from '../../sam2-service/scripts/lib/serviceProcess';
import { startViewerProcess, type ViewerProcess } from '../../viewer/test/helpers/viewerProcess';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import { e2eFixtureModelDir } from '../helpers/paths';
import {
  clearOutcome,
  LIVER_SLICE,
  ONE_CLICK_BUTTON,
  openExampleCtInSam2Mode,
  segmentSlice,
  showInstance,
  waitForOutcome,
} from '../helpers/sam2';
import { OhifViewerPage } from '../helpers/viewerPage';

describeInBrowser('a slice over the service limits is refused before uploading, with a message', () => {
  let service: ServiceProcess;
  let viewerServer: ViewerProcess;
  let browser: Browser;
  let viewer: OhifViewerPage;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    service = await startServiceProcess({ SAM2_MODEL_DIR: e2eFixtureModelDir, SAM2_MAX_IMAGE_SIDE: '256' });
    await service.waitReady();
    viewerServer = await startViewerProcess({
      SAM2_SERVICE_URL: service.url,
      VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR ?? '',
    });
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, viewerServer.url);
    page = viewer.page;
    page.on('request', (request) => {
      if (request.url().includes('/api/segmentation/')) requests.push(`${request.method()} ${request.url()}`);
    });
    await openExampleCtInSam2Mode(viewer);
  });
  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await viewerServer?.stop();
    await service?.stop();
  });

  it('One-Click on a 512 × 512 slice with max_image_side 256: a toast, nothing sent, nothing written', async () => {
    const info = (await (await fetch(`${viewerServer.url}/api/segmentation/info`)).json()) as {
      capabilities: { max_image_side: number };
    };
    expect(info.capabilities.max_image_side).toBe(256);
    await showInstance(page, LIVER_SLICE);
    requests.length = 0;

    await clearOutcome(page);
    await page.locator(ONE_CLICK_BUTTON).click();
    const outcome = await waitForOutcome(page);
    expect(outcome.status).toBe('error');
    const toast = page.locator('[data-sonner-toast]').filter({ hasText: 'Slice too large for SAM2' }).last();
    await toast.waitFor({ state: 'visible', timeout: 10000 });
    await expect(toast.textContent()).resolves.toMatch(
      /This slice is 512 × 512 pixels; the SAM2 service accepts at most 256 × 256\. Nothing was sent\./,
    );
    // No Retry: the same slice would be refused again.
    await expect(toast.getByRole('button', { name: 'Retry' }).count()).resolves.toBe(0);
    expect(requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    expect((await segmentSlice(page, 1)).voxels).toBe(0);
  });
});
