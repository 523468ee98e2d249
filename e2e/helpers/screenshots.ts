import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { OhifWindow } from './ohifWindow';
import { docsScreenshotsArtifactsDir, screenshotsDir } from './paths';

function target(name: string, dir = screenshotsDir): string {
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
}

/** The whole page, into artifacts/screenshots/<name>.png; returns the file. */
export async function screenshotPage(page: Page, name: string): Promise<string> {
  const file = target(name);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Only the image of one viewport (its Cornerstone canvas, as OHIF's own e2e tests compare them), the
 * active viewport when no id is given; into artifacts/screenshots/<name>.png.
 */
export async function screenshotViewport(page: Page, name: string, viewportId?: string): Promise<string> {
  const clip = await page.evaluate((id) => {
    const w = window as unknown as OhifWindow;
    const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
      id ?? w.services.viewportGridService.getActiveViewportId(),
    );
    const rect = viewport?.canvas.getBoundingClientRect();
    return rect && rect.width > 0
      ? { x: rect.x, y: rect.y, width: rect.width, height: rect.height }
      : undefined;
  }, viewportId);
  if (!clip) throw new Error(`viewport ${viewportId ?? '(active)'} has no canvas on screen`);
  const file = target(name);
  await page.screenshot({ path: file, clip });
  return file;
}

/**
 * A screenshot for the user guide, into artifacts/docs-screenshots/<name>.png only: tests never change
 * tracked files. `npm run docs:screenshots` runs the tests that take them and copies them into
 * docs/screenshots/. `clip` limits it to a region of the page (default: the whole page).
 */
export async function docsScreenshot(
  page: Page,
  name: string,
  clip?: { x: number; y: number; width: number; height: number },
): Promise<string> {
  const file = target(name, docsScreenshotsArtifactsDir);
  await page.screenshot({ path: file, ...(clip ? { clip } : {}) });
  return file;
}
