import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { OhifWindow } from './ohifWindow';
import { activeViewport, viewportCanvasStats, type ViewportInfo } from './viewportState';

/**
 * Page object for the stock OHIF 3.13 viewer served by our viewer server. Keeps the browser console's
 * errors so a failing test can say what the viewer complained about.
 */
export class OhifViewerPage {
  /** Console errors and uncaught exceptions, in order. */
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
  }

  /** A fresh browser context (no stored state) with a desktop-sized window. */
  static async open(browser: Browser, baseUrl: string): Promise<OhifViewerPage> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    return new OhifViewerPage(context, await context.newPage(), baseUrl);
  }

  close(): Promise<void> {
    return this.context.close();
  }

  /** The local-files page (`/local`): "Load files" / "Load folders" or drag and drop. */
  async gotoLocalFiles(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/local`);
    await this.fileInput().waitFor({ state: 'attached' });
  }

  /** The hidden <input type=file> behind "Load files" (the other one, for folders, has webkitdirectory). */
  fileInput(): Locator {
    return this.page.locator('input[type="file"]:not([webkitdirectory])');
  }

  /**
   * Loads DICOM files as a user does with "Load files": the files are parsed in the page's memory and
   * OHIF shows its study list with the new study. Resolves when the study's row is there.
   */
  async loadLocalFiles(files: string[], patientName: string): Promise<void> {
    await this.fileInput().setInputFiles(files);
    await this.studyRow(patientName).waitFor({ timeout: 60000 });
  }

  studyRow(patientName: string): Locator {
    return this.page.getByText(patientName, { exact: false }).first();
  }

  /** The user's way into a mode: select the study's row, then the mode's button under "Launch workflow". */
  async launchFromStudyList(patientName: string, modeDisplayName: string): Promise<void> {
    await this.studyRow(patientName).click();
    await this.page.getByRole('button', { name: modeDisplayName, exact: true }).click();
  }

  /**
   * Opens a study in a mode by its route (`/<routeName>/<dataSource>?StudyInstanceUIDs=<uid>`). Local files
   * live in the page's memory, so this navigates inside the single-page app (history + popstate, which
   * OHIF's router follows) instead of loading the URL.
   */
  async openStudyInMode(
    routeName: string,
    studyInstanceUid: string,
    dataSource = 'dicomlocal',
  ): Promise<void> {
    const url = `/${routeName}/${dataSource}?StudyInstanceUIDs=${encodeURIComponent(studyInstanceUid)}`;
    await this.page.evaluate((target) => {
      window.history.pushState({}, '', target);
      window.dispatchEvent(new PopStateEvent('popstate', { state: {} }));
    }, url);
  }

  /** Waits until the active viewport shows an image that is actually drawn (not a blank canvas). */
  async waitForImage(timeoutMs = 60000): Promise<ViewportInfo> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const viewport = await activeViewport(this.page).catch(() => undefined);
      if (viewport?.imageId) {
        const stats = await viewportCanvasStats(this.page, viewport.viewportId);
        if (stats && stats.litFraction > 0.05) return viewport;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no image rendered within ${timeoutMs} ms; viewer problems:\n${this.problems.join('\n')}`,
        );
      }
      await this.page.waitForTimeout(100);
    }
  }

  /** OHIF's "for investigational use only" banner covers the bottom of the viewport until confirmed. */
  async dismissInvestigationalUseBanner(): Promise<void> {
    const confirm = this.page.locator('[data-cy="confirm-and-hide-button"]');
    if (await confirm.isVisible()) await confirm.click();
  }

  /** A toolbar button by the `data-cy` OHIF renders from its id. */
  toolbarButton(id: string): Locator {
    return this.page.locator(`[data-cy="${id}"]`);
  }

  /** Ids of the extensions OHIF registered (ours is loaded at run time from app-config.js). */
  registeredExtensionIds(): Promise<string[]> {
    return this.page.evaluate(() => [
      ...((window as unknown as OhifWindow).extensionManager?.registeredExtensionIds ?? []),
    ]);
  }
}
