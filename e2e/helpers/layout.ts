import type { Page } from 'playwright-core';
import type { OhifWindow } from './ohifWindow';
import { allViewports } from './viewportState';

export type Layout = 'stack' | 'mpr';

/** `mpr` while OHIF's MPR hanging protocol is active, `stack` otherwise. */
export function currentLayout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const w = window as unknown as OhifWindow;
    return w.services.hangingProtocolService.getActiveProtocol()?.protocol?.id === 'mpr' ? 'mpr' : 'stack';
  });
}

/**
 * Switches between the single stack viewport and OHIF's MPR layout (axial, sagittal, coronal), as the
 * toolbar's Layout > MPR entry does, and waits until the axial (or stack) viewport shows an image.
 */
export async function setLayout(page: Page, layout: Layout, timeoutMs = 60000): Promise<void> {
  if ((await currentLayout(page)) !== layout) {
    await page.evaluate(() =>
      (window as unknown as OhifWindow).commandsManager.runCommand('toggleHangingProtocol', {
        protocolId: 'mpr',
      }),
    );
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const viewports = await allViewports(page);
    const ready =
      layout === 'mpr'
        ? viewports.length === 3 &&
          viewports.every((v) => v.type === 'orthographic') &&
          viewports.some((v) => !!v.imageId)
        : viewports.length >= 1 && viewports.every((v) => v.type === 'stack') && !!viewports[0].imageId;
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`layout ${layout} not shown in ${timeoutMs} ms: ${JSON.stringify(viewports)}`);
    await page.waitForTimeout(100);
  }
}
