import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { OhifWindow } from './ohifWindow';
import { screenshotsDir } from './paths';

function target(name: string): string {
  mkdirSync(screenshotsDir, { recursive: true });
  return path.join(screenshotsDir, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
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
