/**
 * The body-composition panel in the real viewer on the real example CT: its figures for a segment
 * holding the reference muscle mask (TotalSegmentator autochthon L/R on instance 276) against an
 * independent computation from the DICOM file and the NIfTI mask read here in Node; live updates after
 * brush, eraser and undo (checked against the labelmap read back from the viewer); the CSV download;
 * Store SR refused for a study from local files (the round trip to a PACS is in fullStack.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DOM_IDS, PANEL_ID } from '../../extension/src/id';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  AUTOCHTHON_LEFT,
  AUTOCHTHON_RIGHT,
  figuresOf,
  type Figures,
  REFERENCE_SEG_FILE,
  referenceIndices,
  sliceHu,
} from '../helpers/bodyCompositionReference';
import { dragPixels, openExampleCtInSam2Mode, segmentSlice, showInstance } from '../helpers/sam2';
import { screenshotPage } from '../helpers/screenshots';
import { e2eUrls } from '../helpers/servers';
import { totalSegExample } from '../helpers/testData';
import { OhifViewerPage } from '../helpers/viewerPage';

const INSTANCE = 276;
/** OHIF's labelmap Segmentation panel (the segmentation mode's first right-hand tab). */
const SEGMENTATION_PANEL_ID = '@ohif/extension-cornerstone.panelModule.panelSegmentationWithToolsLabelMap';
const LABEL = 'Skeletal muscle (L3)';
/** Skeletal muscle range, written out here (not imported) so a wrong default in the product fails. */
const MUSCLE_MIN = -29;
const MUSCLE_MAX = 150;

type Expected = Pick<Figures, 'voxels' | 'areaCm2' | 'meanHu'>;

interface PanelRow {
  segment: string;
  voxels: number;
  areaCm2: number;
  meanHu: number;
  sdHu: number;
}

/** Area, count and mean over the voxels whose HU is in the muscle range (instance 276). */
function expectedFor(indices: number[]): Expected {
  return figuresOf(indices, sliceHu(INSTANCE), [MUSCLE_MIN, MUSCLE_MAX]);
}

describeInBrowser('Body-composition panel: figures, live updates, CSV', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;
  let page: Page;
  let segmentIndex = 0;
  let afterReference: Expected;

  beforeAll(async () => {
    if (!existsSync(REFERENCE_SEG_FILE)) throw new Error(`reference mask missing: ${REFERENCE_SEG_FILE}`);
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    page = viewer.page;
    await openExampleCtInSam2Mode(viewer);
    await showInstance(page, INSTANCE);
  });
  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
  });

  /** Shows the Body composition tab of the right-hand panels. */
  async function openPanel(): Promise<void> {
    await page.evaluate((id) => {
      const w = window as unknown as {
        services: { panelService: { activatePanel(id: string, force?: boolean): void } };
      };
      w.services.panelService.activatePanel(id, true);
    }, PANEL_ID);
    await page.locator(`[data-cy="${DOM_IDS.bodyCompositionPanel}"]`).waitFor({ timeout: 15000 });
  }

  /**
   * Picks a tool in OHIF's Segmentation tab (where 3.13 keeps Brush and Eraser), then goes back to
   * the Body composition tab: the stroke that follows is drawn while the panel is on screen.
   */
  async function selectSegmentationTool(tool: 'Brush' | 'Eraser'): Promise<void> {
    await page.evaluate((id) => {
      const w = window as unknown as {
        services: { panelService: { activatePanel(id: string, force?: boolean): void } };
      };
      w.services.panelService.activatePanel(id, true);
    }, SEGMENTATION_PANEL_ID);
    await page.locator(`[data-cy="${tool}"]`).first().click();
    await openPanel();
  }

  async function panelRow(): Promise<PanelRow | undefined> {
    const row = page.locator(`[data-cy="${DOM_IDS.bodyCompositionRow}"][data-segment="${LABEL}"]`);
    if (!(await row.count())) return undefined;
    const attr = async (name: string) => Number(await row.first().getAttribute(name));
    return {
      segment: LABEL,
      voxels: await attr('data-voxels'),
      areaCm2: await attr('data-area-cm2'),
      meanHu: await attr('data-mean-hu'),
      sdHu: await attr('data-sd-hu'),
    };
  }

  /** Waits until the panel shows `expected` voxels, then compares all figures. */
  async function expectPanel(expected: Expected, what: string): Promise<PanelRow> {
    const deadline = Date.now() + 15000;
    let row = await panelRow();
    while (row?.voxels !== expected.voxels && Date.now() < deadline) {
      await page.waitForTimeout(200);
      row = await panelRow();
    }
    if (!row || row.voxels !== expected.voxels) {
      const panel = await page.locator(`[data-cy="${DOM_IDS.bodyCompositionPanel}"]`).first().textContent();
      const state = await page.evaluate(() => {
        const s = (window as unknown as { sam2?: { bodyComposition?: { shownSlice(): unknown } } }).sam2;
        try {
          return JSON.stringify(s?.bodyComposition?.shownSlice())?.slice(0, 800);
        } catch (e) {
          return `shownSlice threw: ${(e as Error).message}`;
        }
      });
      throw new Error(
        `${what}: panel shows ${row?.voxels} voxels, expected ${expected.voxels}\npanel: ${panel}\nstate: ${state}\nproblems: ${viewer.problems.slice(-5).join(' | ')}`,
      );
    }
    expect(Math.abs(row.areaCm2 - expected.areaCm2) / expected.areaCm2).toBeLessThanOrEqual(0.005);
    expect(Math.abs(row.meanHu - expected.meanHu)).toBeLessThanOrEqual(0.5);
    return row;
  }

  /** The segment's voxels on the shown slice as the labelmap holds them, with the independent figures. */
  async function labelmapExpected(): Promise<Expected> {
    return expectedFor((await segmentSlice(page, segmentIndex)).indices);
  }

  it('opens in the right-hand panels and shows a hand-drawn muscle segment as the independent computation does', async () => {
    await openPanel();

    // The reference mask, written as a hand-drawn segment named like the muscle context.
    const indices = referenceIndices(INSTANCE, [AUTOCHTHON_LEFT, AUTOCHTHON_RIGHT]);
    expect(indices.length).toBeGreaterThan(500);
    segmentIndex = await page.evaluate(
      async ([label, voxels]) => {
        type Seg = { segmentationId: string };
        const w = window as unknown as {
          services: {
            viewportGridService: { getActiveViewportId(): string };
            segmentationService: {
              getActiveSegmentation(id: string): Seg | undefined;
              addSegment(id: string, o: Record<string, unknown>): void;
              getNextAvailableSegmentIndex(id: string): number;
              setActiveSegment(id: string, index: number): void;
            };
            cornerstoneViewportService: {
              getCornerstoneViewport(id: string): { getCurrentImageId(): string };
            };
          };
          commandsManager: { runCommand(name: string, o: Record<string, unknown>): Promise<string> | string };
          cornerstone: {
            cache: { getImage(id: string): { voxelManager: { setAtIndex(i: number, v: number): void } } };
          };
          cornerstoneTools: {
            segmentation: {
              getLabelmapImageIdsForImageId(imageId: string, segId: string): string[];
              triggerSegmentationEvents: { triggerSegmentationDataModified(id: string): void };
            };
          };
        };
        const { services } = w;
        const viewportId = services.viewportGridService.getActiveViewportId();
        let segmentation = services.segmentationService.getActiveSegmentation(viewportId);
        if (!segmentation) {
          await w.commandsManager.runCommand('createLabelmapForViewport', {
            viewportId,
            options: { label: 'Body composition' },
          });
          for (let i = 0; i < 50 && !segmentation; i++) {
            await new Promise((r) => setTimeout(r, 100));
            segmentation = services.segmentationService.getActiveSegmentation(viewportId);
          }
        }
        if (!segmentation) throw new Error('no segmentation');
        const id = segmentation.segmentationId;
        const index = services.segmentationService.getNextAvailableSegmentIndex(id);
        services.segmentationService.addSegment(id, { segmentIndex: index, label, active: true });
        services.segmentationService.setActiveSegment(id, index);
        const imageId = services.cornerstoneViewportService
          .getCornerstoneViewport(viewportId)
          .getCurrentImageId();
        const labelmapId = w.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(imageId, id)[0];
        const vm = w.cornerstone.cache.getImage(labelmapId).voxelManager;
        for (const i of voxels) vm.setAtIndex(i, index);
        w.cornerstoneTools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(id);
        return index;
      },
      [LABEL, indices] as [string, number[]],
    );
    expect((await segmentSlice(page, segmentIndex)).voxels).toBe(indices.length);
    // OHIF switches to its Segmentation tab when a segmentation appears: back to ours, as a user would.
    await openPanel();

    afterReference = expectedFor(indices);
    // Some voxels of the reference lie outside the muscle range: the panel must leave them out.
    expect(afterReference.voxels).toBeLessThan(indices.length);
    await expectPanel(afterReference, 'reference mask');
    await expect(
      page.locator(`[data-cy="${DOM_IDS.bodyCompositionSlice}"]`).textContent(),
    ).resolves.toContain(`Instance ${INSTANCE}`);
    await screenshotPage(page, 'body-composition-panel');
  });

  it('updates live after a brush stroke, an eraser stroke and undo', async () => {
    const before = await labelmapExpected();
    expect(before.voxels).toBe(afterReference.voxels);

    // Brush in the liver (HU ≈ 89, inside the muscle range): more voxels counted.
    await selectSegmentationTool('Brush');
    await page.mouse.move(5, 5);
    await dragPixels(page, [170, 280], [200, 290], 12);
    await page.waitForTimeout(600);
    const brushed = await labelmapExpected();
    expect(brushed.voxels).toBeGreaterThan(before.voxels);
    await expectPanel(brushed, 'after brush');

    // Eraser across the right autochthon: fewer voxels.
    await selectSegmentationTool('Eraser');
    await page.mouse.move(5, 5);
    await dragPixels(page, [200, 380], [235, 385], 12);
    await page.waitForTimeout(600);
    const erased = await labelmapExpected();
    expect(erased.voxels).toBeLessThan(brushed.voxels);
    await expectPanel(erased, 'after eraser');

    // Undo the eraser: the brushed figures again.
    await page.locator('[data-cy="undo-btn"]').click();
    const undone = await labelmapExpected();
    expect(undone.voxels).toBe(brushed.voxels);
    await expectPanel(undone, 'after undo');
  });

  it('exports one CSV row per measured slice and segment with the panel figures', async () => {
    const shown = await panelRow();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30000 }),
      page.locator(`[data-cy="${DOM_IDS.bodyCompositionCsv}"]`).click(),
    ]);
    const file = await download.path();
    if (!file) throw new Error('download has no file');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\r\n').filter(Boolean);
    const header = lines[0].split(',');
    expect(header).toEqual([
      'StudyInstanceUID',
      'SeriesInstanceUID',
      'SOPInstanceUID',
      'InstanceNumber',
      'SlicePosition_mm',
      'Segment',
      'Area_cm2',
      'MeanHU',
      'SDHU',
      'VoxelCount',
      'HURange',
      'SMI_cm2_per_m2',
      'Height_m',
      'Model',
      'ModelVersion',
    ]);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    // Only instance 276 holds segment voxels: exactly one row.
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.StudyInstanceUID).toBe(totalSegExample.studyInstanceUid);
    expect(row.SeriesInstanceUID).toBe(totalSegExample.seriesInstanceUid);
    expect(row.InstanceNumber).toBe(String(INSTANCE));
    // Slice z from the data README: −804.5 + 2k, k = 286 − InstanceNumber.
    expect(Number(row.SlicePosition_mm)).toBeCloseTo(-804.5 + 2 * (286 - INSTANCE), 2);
    expect(row.Segment).toBe(LABEL);
    expect(Number(row.VoxelCount)).toBe(shown?.voxels);
    expect(Number(row.Area_cm2)).toBeCloseTo(shown!.areaCm2, 2);
    expect(Math.abs(Number(row.MeanHU) - shown!.meanHu)).toBeLessThanOrEqual(0.05);
    expect(row.HURange).toBe('-29..150 HU');
    // No Patient Size in this series and none entered: no SMI.
    expect(row.SMI_cm2_per_m2).toBe('');
    expect(viewer.problems.filter((p) => /sam2|body/i.test(p))).toEqual([]);
  });

  it('Store SR with a study from local files: refused with the reason, no download, the page stays', async () => {
    const url = page.url();
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.locator(`[data-cy="${DOM_IDS.bodyCompositionStoreSr}"]`).click();
    const status = page.locator(`[data-cy="${DOM_IDS.bodyCompositionStatus}"]`);
    await page.waitForFunction(
      (sel) => /not stored/.test(document.querySelector(sel)?.textContent ?? ''),
      `[data-cy="${DOM_IDS.bodyCompositionStatus}"]`,
      { timeout: 15000 },
    );
    expect(await status.textContent()).toBe(
      'SR not stored: The study was opened from local files: there is no PACS to store to. Use Export CSV, or open the study from the PACS.',
    );
    await page.getByText('DICOM SR', { exact: true }).first().waitFor();
    await page.waitForTimeout(1000);
    expect(downloads).toEqual([]);
    expect(page.url()).toBe(url);
    // The figures are still on screen.
    expect((await panelRow())?.voxels).toBeGreaterThan(0);
  });

  it('uses an entered height for SMI = SMA / height² and keeps it for the study', async () => {
    const height = page.locator(`[data-cy="${DOM_IDS.bodyCompositionHeight}"]`);
    await height.fill('172');
    await height.press('Enter');
    await height.blur();
    const row = page.locator(`[data-cy="${DOM_IDS.bodyCompositionRow}"][data-segment="${LABEL}"]`).first();
    await page.waitForFunction(
      (sel) => !!document.querySelector(sel)?.getAttribute('data-smi'),
      `[data-cy="${DOM_IDS.bodyCompositionRow}"][data-segment="${LABEL}"]`,
      { timeout: 10000 },
    );
    const area = Number(await row.getAttribute('data-area-cm2'));
    expect(Number(await row.getAttribute('data-smi'))).toBeCloseTo(area / (1.72 * 1.72), 6);
    // Another slice and back: the height stays.
    await showInstance(page, INSTANCE - 1);
    await showInstance(page, INSTANCE);
    await page.waitForTimeout(1200);
    await expect(height.inputValue()).resolves.toBe('1.72');
  });
});
