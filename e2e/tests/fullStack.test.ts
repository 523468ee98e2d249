/**
 * Full stack with real parts, no containers: the compose topology started natively on 127.0.0.1 (Orthanc
 * 1.10 + DICOMweb with the project's configuration, the SAM2 service as its image runs it on a FIXTURE
 * model, nginx with the project's template serving the stock OHIF 3.13.2 viewer, our bundles and the
 * rendered app-config.js). A real CT series goes into Orthanc through its REST API, is opened through nginx
 * in the SAM2 mode, segmented with the SAM2 button and a click, exported back to Orthanc with OHIF's own
 * DICOM SEG export, and read back from Orthanc. A muscle segment is added on the same slice and the
 * body-composition panel's "Store SR" stores the slice's TID 1500 report (with the SEG it references)
 * through the data source; it is read back from Orthanc and parsed with dcmjs. Then the service is
 * stopped: the viewer still shows the images and the button is disabled, saying why.
 */
import type { Browser, Page } from 'playwright-core';
import { getContext, DEFAULT_CONTEXT_ID } from '../../extension/src/contexts';
import { unavailableText } from '../../extension/src/availability/evaluate';
import { BUTTON_IDS, DOM_IDS, PANEL_ID } from '../../extension/src/id';
import { ROUTE_NAME } from '../../mode/src/ids';
import { missingFullStackPrerequisite, startFullStack, type FullStack } from '../fullStack/stack';
import {
  childrenNamed,
  codeOf,
  items,
  numValue,
  onlyChild,
  readPart10,
  single,
  textsOf,
} from '../fullStack/srContent';
import { AUTOCHTHON_RIGHT, figuresOf, referenceIndices, sliceHu } from '../helpers/bodyCompositionReference';
import {
  findInstances,
  frameValues,
  instanceMetadata,
  orthancGet,
  instanceTags,
  multiValue,
  rgbToDicomLab,
  SEG_SOP_CLASS,
  type SimplifiedTags,
} from '../fullStack/orthancSeg';
import {
  displaySetModalities,
  exportDicomSegFromPanel,
  sam2Availability,
  toolbarTooltip,
} from '../fullStack/viewer';
import { launchChromium } from '../helpers/chromium';
import { pollUntil } from '../helpers/poll';
import {
  activeSegments,
  chooseContextFromMenu,
  clearOutcome,
  clickPixel,
  docsScreenshot,
  hasPixel,
  LIVER_POINT,
  LIVER_SLICE,
  promptAndWait,
  runOneClick,
  segmentByLabel,
  segmentSlice,
  type SegmentInfo,
  showInstance,
  type ShownSlice,
  slicePixelToPage,
  waitForOutcome,
} from '../helpers/sam2';
import { screenshotPage } from '../helpers/screenshots';
import { totalSegExample } from '../helpers/testData';
import { recordTimings } from '../helpers/timings';
import { OhifViewerPage } from '../helpers/viewerPage';
import { viewportCanvasStats } from '../helpers/viewportState';

const missing = missingFullStackPrerequisite();
if (missing) console.warn(`Full-stack test skipped: ${missing}.`);
const describeFullStack = missing ? describe.skip : describe;

/** The segment the default context ("Structure") writes: its label and colour are ours. */
const context = getContext(DEFAULT_CONTEXT_ID);
/** The skeletal-muscle context's segment label, written out here. */
const MUSCLE_LABEL = 'Skeletal muscle (L3)';

/** A page screenshot into artifacts/screenshots/ (artifacts/docs-screenshots/ with `forDocs`), fullstack-<name>.png. */
async function screenshot(page: Page, name: string, forDocs = false): Promise<void> {
  if (forDocs) await docsScreenshot(page, `fullstack-${name}`);
  else await screenshotPage(page, `fullstack-${name}`);
}

describeFullStack(
  'full stack, natively: Orthanc + SAM2 service + nginx + stock OHIF 3.13 in Chromium',
  () => {
    let stack: FullStack;
    let browser: Browser;
    let viewer: OhifViewerPage;
    const timings: Record<string, number> = {};
    const studyUrl = () =>
      `${stack.nginx.url}/${ROUTE_NAME}/${stack.appConfig.defaultDataSourceName}?StudyInstanceUIDs=${totalSegExample.studyInstanceUid}`;

    // Shared between the steps, in order.
    let shown: ShownSlice;
    let segment: SegmentInfo;
    let labelledVoxels: number;
    let model: { name: string; version: string; family: string; fixture?: boolean };

    beforeAll(async () => {
      const started = Date.now();
      stack = await startFullStack();
      timings.fullStackStartMs = Date.now() - started;
    });

    afterAll(async () => {
      recordTimings(timings);
      // Each step on its own, so one failure does not leave the others running.
      await viewer?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
      await stack?.stop();
    });

    it('nginx serves the app-config.js the viewer image renders: DICOMweb at /dicom-web, SAM2 on', async () => {
      const { appConfig } = stack;
      expect(appConfig.defaultDataSourceName).toBe('dicomweb');
      const dicomweb = appConfig.dataSources.find((d) => d.sourceName === 'dicomweb')!;
      expect(dicomweb.namespace).toBe('@ohif/extension-default.dataSourcesModule.dicomweb');
      expect(dicomweb.configuration.qidoRoot).toBe('/dicom-web');
      expect(appConfig.sam2).toMatchObject({
        enabled: true,
        apiBase: '/api/segmentation',
        modalities: ['CT'],
      });
      const served = await fetch(`${stack.nginx.url}/app-config.js`);
      expect(served.status).toBe(200);
      expect(await served.text()).toContain('"qidoRoot": "/dicom-web"');
      const ready = await fetch(`${stack.nginx.url}/api/segmentation/readyz`);
      expect(await ready.json()).toMatchObject({ ready: true });
      model = (
        (await (await fetch(`${stack.nginx.url}/api/segmentation/info`)).json()) as { model: typeof model }
      ).model;
    });

    it('stores the real CT series (20 files) in Orthanc through its REST API (POST /instances)', async () => {
      const started = Date.now();
      const files = totalSegExample.files();
      expect(files).toHaveLength(totalSegExample.sliceCount);
      const stored = await Promise.all(files.map((file) => stack.orthanc.upload(file)));
      timings.fullStackUploadMs = Date.now() - started;
      expect(stored.every((s) => s.Status === 'Success')).toBe(true);
      expect(new Set(stored.map((s) => s.ParentStudy)).size).toBe(1);
      expect(await findInstances(stack.orthanc, totalSegExample.studyInstanceUid)).toHaveLength(20);
      // The browser's way in: QIDO-RS through nginx, which adds Orthanc's credentials.
      const qido = await fetch(
        `${stack.nginx.url}/dicom-web/studies?StudyInstanceUID=${totalSegExample.studyInstanceUid}`,
      );
      expect(qido.status).toBe(200);
      expect(await qido.json()).toHaveLength(1);
    });

    it('opens the study from Orthanc through nginx in the SAM2 mode; the SAM2 button is enabled', async () => {
      browser = await launchChromium();
      viewer = await OhifViewerPage.open(browser, stack.nginx.url);
      const started = Date.now();
      await viewer.page.goto(studyUrl());
      await viewer.waitForImage();
      timings.fullStackFirstImageMs = Date.now() - started;
      await viewer.dismissInvestigationalUseBanner();

      expect(await viewer.page.evaluate(() => self.crossOriginIsolated)).toBe(true);
      expect(new URL(viewer.page.url()).pathname).toBe(`/${ROUTE_NAME}/dicomweb`);
      // Every image id is a WADO-RS URL on nginx's origin.
      shown = await showInstance(viewer.page, LIVER_SLICE);
      expect(shown.instanceNumber).toBe(LIVER_SLICE);
      expect(shown.imageId).toMatch(
        new RegExp(`^wadors:/dicom-web/studies/${totalSegExample.studyInstanceUid.replace(/\./g, '\\.')}/`),
      );
      expect((await viewportCanvasStats(viewer.page))!.litFraction).toBeGreaterThan(0.2);
      await pollUntil(
        () => viewer.toolbarButton(`${BUTTON_IDS.oneClick}-btn`).isEnabled(),
        (enabled) => enabled,
        { what: 'the SAM2 button to be enabled' },
      );
    });

    it('One-Click Segmentation, then a click in the liver, write a SAM2 mask into the labelmap', async () => {
      const { page } = viewer;
      await clearOutcome(page);
      let started = Date.now();
      await viewer.toolbarButton(`${BUTTON_IDS.oneClick}-btn`).click();
      const oneClick = await waitForOutcome(page, 40000);
      timings.fullStackOneClickMs = Date.now() - started;
      expect(oneClick).toMatchObject({ status: 'written' });

      const segments = await activeSegments(page);
      expect(segments).toHaveLength(1);
      segment = segments[0];
      expect(segment).toMatchObject({ label: context.segmentLabel, color: context.color });
      const afterOneClick = await segmentSlice(page, segment.segmentIndex);
      expect(afterOneClick.voxels).toBeGreaterThan(0);

      // One-Click left the prompt tool active: a click on the liver is a positive point prompt.
      await clearOutcome(page);
      const target = await slicePixelToPage(page, ...LIVER_POINT);
      started = Date.now();
      await page.mouse.click(target.x, target.y);
      const click = await waitForOutcome(page, 40000);
      timings.fullStackPointPromptMs = Date.now() - started;
      expect(click).toMatchObject({ status: 'written' });
      const afterClick = await segmentSlice(page, segment.segmentIndex);
      expect(afterClick.voxels).toBeGreaterThan(0);
      expect(hasPixel(afterClick, LIVER_POINT)).toBe(true);
      labelledVoxels = afterClick.voxels;
      await page.mouse.move(5, 5);
      await screenshot(page, 'sam2-result', true);
    });

    it("exports the segmentation to Orthanc with OHIF's own Export > DICOM SEG (STOW-RS through nginx)", async () => {
      const { page } = viewer;
      const started = Date.now();
      await exportDicomSegFromPanel(page, () => screenshot(page, 'store-dialog'));
      const segIds = await pollUntil(
        () => findInstances(stack.orthanc, totalSegExample.studyInstanceUid, { Modality: 'SEG' }),
        (ids) => ids.length > 0,
        { what: 'a SEG instance in Orthanc', timeoutMs: 30000 },
      );
      timings.fullStackExportMs = Date.now() - started;
      expect(segIds).toHaveLength(1);
      // OHIF confirms, adds the stored SEG to the study browser and offers to open it in the viewport.
      await page.getByText('Segmentation saved successfully').first().waitFor();
      expect(await displaySetModalities(page)).toContain('SEG');
      await page.getByText('Do you want to open this Segmentation?').waitFor();
      await screenshot(page, 'seg-stored');

      const [tags, meta] = await Promise.all([
        instanceTags(stack.orthanc, segIds[0]),
        instanceMetadata(stack.orthanc, segIds[0]),
      ]);
      checkSeg(tags, meta);
      // The one frame holds exactly the mask on screen: label 1 where the labelmap had the segment.
      const frame = await frameValues(stack.orthanc, segIds[0], 0);
      expect(frame.shape.slice(0, 2)).toEqual([512, 512]);
      expect(Array.from(frame.values).filter((v) => v === segment.segmentIndex).length).toBe(labelledVoxels);
      expect(Array.from(frame.values).filter((v) => v !== 0 && v !== segment.segmentIndex)).toEqual([]);
      expect(frame.values[LIVER_POINT[1] * 512 + LIVER_POINT[0]]).toBe(segment.segmentIndex);
    });

    /** What the SEG in Orthanc carries, checked against what OHIF and the extension held. */
    function checkSeg(tags: SimplifiedTags, meta: Record<string, string>) {
      // OHIF 3.13 stores a Label Map SEG with RLE Lossless unless the data source (or a customization) says
      // `segmentation.store.defaultMode: 'bitmap'`, which gives the classic Segmentation Storage.
      const storeMode = stack.appConfig.dataSources.find((d) => d.sourceName === 'dicomweb')!.configuration
        .segmentation?.store?.defaultMode;
      const sopClass = storeMode === 'bitmap' ? SEG_SOP_CLASS.bitmap : SEG_SOP_CLASS.labelmap;
      expect(tags).toMatchObject({
        Modality: 'SEG',
        SOPClassUID: sopClass,
        StudyInstanceUID: totalSegExample.studyInstanceUid,
        PatientID: 'TS-EXAMPLE-CT-DICOM',
        // No name typed in the dialog: the segmentation's label; the first SEG series number OHIF picks.
        SeriesDescription: segment.segmentationLabel,
        SeriesNumber: '3101',
        NumberOfFrames: '1',
        ReferencedSeriesSequence: [
          expect.objectContaining({ SeriesInstanceUID: totalSegExample.seriesInstanceUid }),
        ],
      });
      expect(meta.SopClassUid).toBe(sopClass);
      if (sopClass === SEG_SOP_CLASS.labelmap) {
        expect(tags.SegmentationType).toBe('LABELMAP');
        expect(meta.TransferSyntax).toBe('1.2.840.10008.1.2.5'); // RLE Lossless
      }
      const frame = (tags.PerFrameFunctionalGroupsSequence as SimplifiedTags[])[0];
      const source = (frame.DerivationImageSequence as SimplifiedTags[])[0]
        .SourceImageSequence as SimplifiedTags[];
      expect(source[0].ReferencedSOPInstanceUID).toBe(shown.sopInstanceUid);

      const segments = tags.SegmentSequence as SimplifiedTags[];
      expect(segments).toHaveLength(1);
      const [seg] = segments;
      expect(seg.SegmentNumber).toBe(String(segment.segmentIndex));
      expect(seg.SegmentLabel).toBe(context.segmentLabel);
      // OHIF fixes the segmented property to "Tissue" whatever the segment is.
      const tissue = [{ CodeValue: 'T-D0050', CodingSchemeDesignator: 'SRT', CodeMeaning: 'Tissue' }];
      expect(seg.SegmentedPropertyCategoryCodeSequence).toEqual(tissue);
      expect(seg.SegmentedPropertyTypeCodeSequence).toEqual(tissue);
      // Our colour, as CIELab (within 0.1 L* / 0.25 a*, b*: rounding of the colour conversion).
      const lab = multiValue(seg.RecommendedDisplayCIELabValue);
      rgbToDicomLab(context.color).forEach((expected, i) =>
        expect(Math.abs(lab[i] - expected)).toBeLessThan(64),
      );

      // Provenance: the extension marks its segment semi-automatic with the model that produced the mask,
      // and OHIF's export writes that (without it OHIF would write MANUAL / "OHIF Brush").
      expect(seg.SegmentAlgorithmType).toBe('SEMIAUTOMATIC');
      expect(seg.SegmentAlgorithmName).toBe(`SAM2 ${model.name} ${model.version}`);
    }

    it("Store SR: the slice's TID 1500 report and the SEG it references go to Orthanc through the data source; read back, its figures match an independent computation", async () => {
      const { page } = viewer;
      // A fresh load (OHIF now shows the stored SEG in the viewport and offers to open it); then a
      // skeletal-muscle segment on the same slice: the muscle context's One-Click and a click on the
      // right autochthon muscle (reference label 87, its bounding-box centre when inside it).
      await page.goto(studyUrl());
      await viewer.waitForImage();
      await viewer.dismissInvestigationalUseBanner();
      expect((await showInstance(page, LIVER_SLICE)).sopInstanceUid).toBe(shown.sopInstanceUid);
      await pollUntil(
        () => viewer.toolbarButton(`${BUTTON_IDS.oneClick}-btn`).isEnabled(),
        (enabled) => enabled,
        { what: 'the SAM2 button to be enabled' },
      );
      const muscleRef = referenceIndices(LIVER_SLICE, [AUTOCHTHON_RIGHT]);
      const xs = muscleRef.map((i) => i % 512);
      const ys = muscleRef.map((i) => Math.floor(i / 512));
      let target: [number, number] = [
        Math.round((Math.min(...xs) + Math.max(...xs)) / 2),
        Math.round((Math.min(...ys) + Math.max(...ys)) / 2),
      ];
      if (!muscleRef.includes(target[1] * 512 + target[0])) target = [xs[0], ys[0]];
      await chooseContextFromMenu(page, BUTTON_IDS.contextSkeletalMuscle);
      await runOneClick(page);
      const clicked = await promptAndWait(page, () => clickPixel(page, target));
      expect(['written', 'unchanged']).toContain(clicked.status);
      const muscle = await segmentByLabel(page, MUSCLE_LABEL);
      const muscleVoxels = (await segmentSlice(page, muscle.segmentIndex)).indices;
      expect(muscleVoxels.length).toBeGreaterThan(0);
      expect(await activeSegments(page)).toHaveLength(1);

      // Independent figures from the DICOM file: only voxels in −29…150 HU count for the muscle.
      const slice = sliceHu(LIVER_SLICE);
      const expected = new Map([
        [
          MUSCLE_LABEL,
          { figures: figuresOf(muscleVoxels, slice, [-29, 150]), segmentNumber: muscle.segmentIndex },
        ],
      ]);

      await page.evaluate((id) => {
        const w = window as unknown as {
          services: { panelService: { activatePanel(id: string, force?: boolean): void } };
        };
        w.services.panelService.activatePanel(id, true);
      }, PANEL_ID);
      // A height typed in the panel: the muscle group gets its SMI.
      const height = page.locator(`[data-cy="${DOM_IDS.bodyCompositionHeight}"]`);
      await height.fill('172');
      await height.press('Enter');
      await height.blur();
      await page.waitForFunction(
        (sel) => !!document.querySelector(sel)?.getAttribute('data-smi'),
        `[data-cy="${DOM_IDS.bodyCompositionRow}"]`,
        { timeout: 10000 },
      );
      const started = Date.now();
      await page.locator(`[data-cy="${DOM_IDS.bodyCompositionStoreSr}"]`).click();
      const status = page.locator(`[data-cy="${DOM_IDS.bodyCompositionStatus}"]`);
      await pollUntil(
        () => status.textContent(),
        (text) => /Stored to the PACS|not stored/.test(text ?? ''),
        { what: 'the Store SR outcome', timeoutMs: 60000 },
      );
      expect(await status.textContent()).toContain('Stored to the PACS: SR with 1 segment and');
      // OHIF's notification (title "DICOM SR") says so too; the screenshot waits for it to slide in.
      await page.getByText('DICOM SR', { exact: true }).first().waitFor();
      await page.waitForTimeout(1000);
      timings.fullStackStoreSrMs = Date.now() - started;
      await screenshot(page, 'sr-stored', true);

      // Read back from Orthanc's REST API (not through the viewer), parsed with dcmjs.
      const srIds = await findInstances(stack.orthanc, totalSegExample.studyInstanceUid, { Modality: 'SR' });
      expect(srIds).toHaveLength(1);
      const file = Buffer.from(
        await (await orthancGet(stack.orthanc, `/instances/${srIds[0]}/file`)).arrayBuffer(),
      );
      const sr = readPart10(file);
      expect(sr).toMatchObject({
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.34', // Comprehensive 3D SR
        Modality: 'SR',
        StudyInstanceUID: totalSegExample.studyInstanceUid,
        PatientID: 'TS-EXAMPLE-CT-DICOM',
      });
      expect(codeOf(sr)).toBe('DCM:126000');
      expect(items(sr.ContentTemplateSequence)[0]).toMatchObject({ TemplateIdentifier: '1500' });

      // The SEG it references was stored too, and its frame of this slice carries the segment.
      const segUids = new Set<string>();
      const groups = childrenNamed(onlyChild(sr, 'DCM:126010'), 'DCM:125007');
      expect(groups).toHaveLength(1);
      for (const group of groups) {
        const label = String(onlyChild(group, 'DCM:112039').TextValue);
        const want = expected.get(label);
        if (!want) throw new Error(`unexpected group ${label}`);
        const source = items(onlyChild(group, 'DCM:121233').ReferencedSOPSequence)[0];
        expect(source.ReferencedSOPInstanceUID).toBe(shown.sopInstanceUid);
        const segRef = items(onlyChild(group, 'DCM:121214').ReferencedSOPSequence)[0];
        expect(single(segRef.ReferencedSegmentNumber)).toBe(want.segmentNumber);
        segUids.add(String(segRef.ReferencedSOPInstanceUID));

        const area = onlyChild(group, 'SCT:42798000');
        expect(numValue(area).unit).toBe('UCUM:cm2');
        expect(
          Math.abs(numValue(area).value - want.figures.areaCm2) / want.figures.areaCm2,
        ).toBeLessThanOrEqual(0.005);
        const attenuation = Object.fromEntries(
          childrenNamed(group, 'DCM:112031').map((a) => [
            codeOf(onlyChild(a, 'DCM:121401'), 'ConceptCodeSequence'),
            numValue(a),
          ]),
        );
        expect(attenuation['SCT:373098007'].unit).toBe("UCUM:[hnsf'U]");
        expect(Math.abs(attenuation['SCT:373098007'].value - want.figures.meanHu)).toBeLessThanOrEqual(0.5);
        expect(Math.abs(attenuation['SCT:386136009'].value - want.figures.sdHu)).toBeLessThanOrEqual(0.5);
        expect(numValue(onlyChild(group, '99SAM2:VOXELS')).value).toBe(want.figures.voxels);
        const smi = numValue(onlyChild(group, '99SAM2:SMI'));
        expect(smi.unit).toBe('UCUM:cm2/m2');
        expect(Math.abs(smi.value - want.figures.areaCm2 / 1.72 ** 2) / smi.value).toBeLessThanOrEqual(0.005);

        // TID 4019: the model that wrote the segment, and the HU range used.
        expect(textsOf(area, 'DCM:111001')).toEqual([model.name]);
        expect(textsOf(area, 'DCM:111003')).toEqual([model.version]);
        expect(textsOf(area, 'DCM:111002').join(' | ')).toContain('HU range -29..150 HU');
      }
      expect(segUids.size).toBe(1);
      const [segUid] = [...segUids];
      const segIds = await findInstances(stack.orthanc, totalSegExample.studyInstanceUid, {
        Modality: 'SEG',
        SOPInstanceUID: segUid,
      });
      expect(segIds).toHaveLength(1);
      const frameNumber = single(
        items(onlyChild(groups[0], 'DCM:121214').ReferencedSOPSequence)[0].ReferencedFrameNumber,
      );
      const frame = await frameValues(stack.orthanc, segIds[0], frameNumber - 1);
      const muscleIndex = muscleVoxels[0];
      expect([muscle.segmentIndex, 1]).toContain(frame.values[muscleIndex]);
    });

    it('with the SAM2 service stopped, the viewer still shows the images through nginx and the button says why it is disabled', async () => {
      await stack.stopService();
      const readyz = await fetch(`${stack.nginx.url}/api/segmentation/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });

      // A fresh load (what the next user gets): app, bundles, study and pixels all come through nginx.
      const { page } = viewer;
      const started = Date.now();
      await page.goto(studyUrl());
      await viewer.waitForImage();
      timings.fullStackReloadServiceDownMs = Date.now() - started;
      await viewer.dismissInvestigationalUseBanner();
      expect((await viewportCanvasStats(page))!.litFraction).toBeGreaterThan(0.2);
      // The SEG stored before is part of the study now, listed from Orthanc.
      expect(await displaySetModalities(page)).toEqual(expect.arrayContaining(['CT', 'SEG']));

      await pollUntil(
        () => sam2Availability(page),
        (a) => a?.status === 'down',
        { what: 'the extension to see the service down' },
      );
      expect(await sam2Availability(page)).toEqual({ status: 'down', state: 'unreachable' });
      await expect(viewer.toolbarButton(BUTTON_IDS.oneClick).isVisible()).resolves.toBe(true);
      await expect(viewer.toolbarButton(`${BUTTON_IDS.oneClick}-btn`).isDisabled()).resolves.toBe(true);
      const expectedText = unavailableText({ status: 'down', state: 'unreachable' });
      expect(expectedText).toBe('SAM2 service unavailable (cannot reach the service)');
      const tooltip = await toolbarTooltip(page, BUTTON_IDS.oneClick);
      expect(tooltip).toContain(expectedText);
      await screenshot(page, 'service-down', true);
    });

    it('leaves a timing record', () => {
      expect(Object.keys(timings).length).toBeGreaterThanOrEqual(6);
      console.log(`full-stack timings (ms): ${JSON.stringify(timings)}; model ${JSON.stringify(model)}`);
    });
  },
);
