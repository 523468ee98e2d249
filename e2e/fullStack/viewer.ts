/**
 * What the full-stack test does in the viewer beyond the shared helpers (../helpers/sam2.ts: showing a
 * slice, slice pixels to page coordinates, segments and labelmap voxels, SAM2 outcomes): the extension's
 * view of the service, the study's display sets, OHIF's own "Export > DICOM SEG" from the segmentation
 * panel and toolbar tooltips.
 */
import type { Page } from 'playwright-core';

/** The browser-side objects these helpers use (window.services, window.sam2). */
interface FullStackWindow {
  services: {
    displaySetService: { getActiveDisplaySets(): Array<{ Modality?: string; SeriesDescription?: string }> };
  };
  sam2?: { availability?: { status: string; state?: string } };
}

/** The extension's view of the service (`ready`, or `down` with the state `unreachable`, `loading`, ...). */
export function sam2Availability(page: Page): Promise<{ status: string; state?: string } | undefined> {
  return page.evaluate(() => {
    const a = (window as unknown as FullStackWindow).sam2?.availability;
    return a ? { status: a.status, state: a.state } : undefined;
  });
}

/** Modalities of the display sets OHIF built for the study (the study browser's series). */
export function displaySetModalities(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as FullStackWindow).services.displaySetService
      .getActiveDisplaySets()
      .map((d) => d.Modality ?? ''),
  );
}

/**
 * OHIF's own export as a user runs it: the segmentation panel's "⋯" menu → Export → DICOM SEG opens OHIF's
 * "Store Segmentation" dialog (commands `storeSegmentation` of @ohif/extension-cornerstone and of
 * @ohif/extension-cornerstone-dicom-seg); `beforeSave` runs with the dialog open (for a screenshot).
 */
export async function exportDicomSegFromPanel(
  page: Page,
  beforeSave?: () => Promise<unknown>,
): Promise<void> {
  await page.locator('[data-cy="segmentation-collapsed-more-btn-Labelmap"]').click();
  await page.getByRole('menuitem', { name: 'Export', exact: true }).hover();
  await page.getByRole('menuitem', { name: 'DICOM SEG', exact: true }).click();
  const dialog = page.getByRole('dialog').filter({ hasText: 'Store Segmentation' });
  await dialog.waitFor();
  if (beforeSave) await beforeSave();
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
}

/** The tooltip OHIF shows for a toolbar button (its label, then disabledText or tooltip). */
export async function toolbarTooltip(page: Page, buttonId: string): Promise<string> {
  await page.mouse.move(0, 0);
  await page.locator(`[data-cy="${buttonId}"]`).hover();
  const tooltip = page.getByRole('tooltip').first();
  await tooltip.waitFor();
  return (await tooltip.innerText()).trim();
}
