/**
 * Context-aware One-Click in the real viewer on the real example CT (T11–T12 level; the rule works
 * for any vertebral level) against the real SAM2 service (FIXTURE model): in the L3 vertebra context
 * One-Click prompts SAM2 with a box around the vertebra found from the CT, and the written mask is
 * bone inside the reference vertebra (TotalSegmentator T12, label 32), not fat; in the Skeletal muscle
 * context One-Click prompts SAM2 with the muscle groups found from the CT (one encoding, one request
 * per group) and writes their union restricted to the muscle HU range, on the reference autochthon
 * muscles; undo restores; a slice without a vertebra gets a message and no write. Expected values come from the DICOM file
 * and the reference NIfTI read here, not from the extension.
 */
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { NO_MUSCLE_MESSAGE } from '../../extension/src/anatomy/musclePrompt';
import { BUTTON_IDS } from '../../extension/src/id';
import { ROUTE_NAME } from '../../mode/src/ids';
import { readNifti } from '../../extension/test/nifti';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  deriveDicom,
  derivedFilesDir,
  readDicom,
  sameLengthUid,
  storedValue,
  writeDerived,
} from '../helpers/dicomDerive';
import { pollUntil } from '../helpers/poll';
import {
  activeSegments,
  chooseContextFromMenu,
  clickPixel,
  openExampleCtInSam2Mode,
  promptAndWait,
  runOneClick,
  segmentByLabel,
  segmentSlice,
  showInstance,
  waitForOneClickEnabled,
} from '../helpers/sam2';
import { docsScreenshot, screenshotPage } from '../helpers/screenshots';
import { e2eUrls } from '../helpers/servers';
import { sharedDataDir, totalSegExample } from '../helpers/testData';
import { OhifViewerPage } from '../helpers/viewerPage';

const INSTANCE = 276;
const SEGMENT_PATH = '/api/segmentation/sam2';

function sliceHu(): Float64Array {
  const image = readDicom(path.join(totalSegExample.dir, `CT_0${INSTANCE}.dcm`));
  return Float64Array.from(image.pixels, (v) => v * image.slope + image.intercept);
}

/** Flat indices (row × 512 + column) of a reference label on instance 276 (data README B). */
function referenceIndices(label: number): number[] {
  const seg = readNifti(
    path.join(sharedDataDir, 'seg_reference', 'totalsegmentator', 'example_seg_dicom.nii.gz'),
  );
  const [nx, ny] = seg.dims;
  const k = 286 - INSTANCE;
  const out: number[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++)
      if (seg.data[k * nx * ny + j * nx + i] === label) out.push((511 - j) * 512 + i);
  return out;
}

function bboxOf(indices: number[]): [number, number, number, number] {
  let b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const i of indices) {
    const x = i % 512;
    const y = (i - x) / 512;
    b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  return b;
}

describeInBrowser('Context-aware One-Click: vertebra box from the CT, muscle HU range', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;
  let page: Page;
  const hu = sliceHu();

  beforeAll(async () => {
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

  it('L3 vertebra: One-Click prompts a box around the vertebra and writes inside it, not fat', async () => {
    await chooseContextFromMenu(page, BUTTON_IDS.contextL3Vertebra);
    const outcome = await runOneClick(page);
    expect(outcome.status).toBe('written');

    const reference = referenceIndices(32); // T12
    expect(reference.length).toBeGreaterThan(500);
    const [rx0, ry0, rx1, ry1] = bboxOf(reference);
    // The box the extension sent (drawn on the viewport as the interaction's box).
    const box = await page.evaluate(
      () =>
        (window as unknown as { sam2: { currentSession?: { box?: { box: number[] } } } }).sam2.currentSession
          ?.box?.box,
    );
    expect(box).toBeDefined();
    const [bx0, by0, bx1, by1] = box!;
    const insideBox = reference.filter((i) => {
      const x = i % 512;
      const y = (i - x) / 512;
      return x + 0.5 >= bx0 && x + 0.5 <= bx1 && y + 0.5 >= by0 && y + 0.5 <= by1;
    }).length;
    expect(insideBox / reference.length).toBeGreaterThanOrEqual(0.95);

    const segment = await segmentByLabel(page, 'L3 vertebra');
    const written = await segmentSlice(page, segment.segmentIndex);
    expect(written.voxels).toBeGreaterThan(100);
    // The box aims at the vertebra: IoU with the reference's bounding box (on this contrast scan the
    // aorta touching the vertebral body may widen it; docs/user-guide.md has the measured figures).
    const inter =
      Math.max(0, Math.min(bx1, rx1 + 1) - Math.max(bx0, rx0)) *
      Math.max(0, Math.min(by1, ry1 + 1) - Math.max(by0, ry0));
    const iou = inter / ((bx1 - bx0) * (by1 - by0) + (rx1 - rx0 + 1) * (ry1 - ry0 + 1) - inter);
    expect(iou).toBeGreaterThanOrEqual(0.3);
    // The written mask lies in the box and is not fat (−190…−30 HU; the context-blind automatic mode
    // wrote fat of mean −106 HU before). The FIXTURE model fills the intensity region at the box centre
    // (here the spinal canal and vertebral body), so the outline of a real SAM2 result is not tested.
    const inBox = written.indices.filter((i) => {
      const x = i % 512;
      const y = (i - x) / 512;
      return x + 0.5 >= bx0 && x + 0.5 <= bx1 && y + 0.5 >= by0 && y + 0.5 <= by1;
    }).length;
    expect(inBox / written.voxels).toBeGreaterThanOrEqual(0.95);
    const meanHu = written.indices.reduce((s, i) => s + hu[i], 0) / written.voxels;
    expect(meanHu).toBeGreaterThan(-30);
    await page.mouse.move(5, 5);
    await screenshotPage(page, 'one-click-l3-vertebra-box');
  });

  it('Skeletal muscle: One-Click prompts each muscle group on one encoding; the union is muscle-range, on the reference muscle; undo restores', async () => {
    await chooseContextFromMenu(page, BUTTON_IDS.contextSkeletalMuscle);
    const segment = () => segmentByLabel(page, 'Skeletal muscle (L3)').catch(() => undefined);
    const before = await segment();
    const beforeVoxels = before ? (await segmentSlice(page, before.segmentIndex)).voxels : 0;
    const sent: Array<Record<string, unknown>> = [];
    const onRequest = (request: Request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith(SEGMENT_PATH))
        sent.push(request.postDataJSON() as Record<string, unknown>);
    };
    page.on('request', onRequest);
    const outcome = await runOneClick(page).finally(() => page.off('request', onRequest));
    expect(outcome.status).toBe('written');

    // One request per muscle group, each a box (+ a point); only the first may carry pixels.
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.slice(1).every((body) => typeof body.image_id === 'string' && !body.image_data)).toBe(true);
    for (const body of sent) expect((body.prompts as { box?: number[] }).box).toHaveLength(4);
    expect(outcome.groups).toEqual(expect.arrayContaining(['paraspinal-left', 'paraspinal-right']));

    const written = await segmentSlice(page, (await segment())!.segmentIndex);
    expect(written.voxels).toBeGreaterThan(100);
    // Every voxel in the muscle HU range, computed from the DICOM file.
    expect(written.indices.filter((i) => hu[i] < -29 || hu[i] > 150)).toEqual([]);
    // On the reference muscle (TotalSegmentator autochthon left 86 / right 87): both sides are hit,
    // and most written voxels at the back lie in the reference.
    const left = new Set(referenceIndices(86));
    const right = new Set(referenceIndices(87));
    const onLeft = written.indices.filter((i) => left.has(i)).length;
    const onRight = written.indices.filter((i) => right.has(i)).length;
    expect(onLeft / left.size).toBeGreaterThanOrEqual(0.3);
    expect(onRight / right.size).toBeGreaterThanOrEqual(0.3);
    // And not on the organs lying beside the spine at this level (liver 5, spleen 1, stomach 6,
    // pancreas 7, aorta 52, IVC 63, portal/splenic vein 64): this slice has no psoas to find.
    const organs = new Set([5, 1, 6, 7, 52, 63, 64].flatMap((label) => referenceIndices(label)));
    const onOrgans = written.indices.filter((i) => organs.has(i)).length;
    expect(onOrgans / written.voxels).toBeLessThanOrEqual(0.02);
    expect(outcome.groups!.some((g) => g.startsWith('psoas'))).toBe(false);
    await page.mouse.move(5, 5);
    await docsScreenshot(page, 'result-skeletal-muscle');

    await page.locator('[data-cy="undo-btn"]').click();
    const restored = await pollUntil(
      async () => (await segmentSlice(page, (await segment())!.segmentIndex)).voxels,
      (voxels) => voxels === beforeVoxels,
      { timeoutMs: 15000, what: 'undo restoring the slice' },
    );
    expect(restored).toBe(beforeVoxels);
  });

  it('Skeletal muscle: a click on a muscle still writes only muscle-range voxels', async () => {
    const muscle = referenceIndices(87);
    const [mx0, my0, mx1, my1] = bboxOf(muscle);
    let target: [number, number] = [Math.round((mx0 + mx1) / 2), Math.round((my0 + my1) / 2)];
    if (!muscle.includes(target[1] * 512 + target[0]))
      target = [muscle[0] % 512, Math.floor(muscle[0] / 512)];
    const clicked = await promptAndWait(page, () => clickPixel(page, target));
    expect(['written', 'unchanged']).toContain(clicked.status);
    const segment = await segmentByLabel(page, 'Skeletal muscle (L3)');
    const written = await segmentSlice(page, segment.segmentIndex);
    expect(written.voxels).toBeGreaterThan(0);
    expect(written.indices.filter((i) => hu[i] < -29 || hu[i] > 150)).toEqual([]);
  });

  it('Skeletal muscle: on a slice without bone One-Click says no muscle was found and writes nothing', async () => {
    // Instance 276 with its bone turned to soft tissue (≥ 150 HU → 40 HU): no vertebra, so no rule.
    const image = readDicom(path.join(totalSegExample.dir, `CT_0${INSTANCE}.dcm`));
    const soft = image.pixels.slice();
    const boneStored = storedValue(image, 150);
    const softStored = storedValue(image, 40);
    for (let i = 0; i < soft.length; i++) if (soft[i] >= boneStored) soft[i] = softStored;
    const str = (tag: string) => image.dataSet.string(tag)!;
    const patientName = 'MuscleRule^NoBone';
    const studyUid = sameLengthUid(str('x0020000d'), 9700);
    const bytes = deriveDicom(image, {
      strings: {
        x0020000d: studyUid,
        x0020000e: sameLengthUid(str('x0020000e'), 9700),
        x00080018: sameLengthUid(str('x00080018'), 9700),
        x00020003: sameLengthUid(str('x00080018'), 9700),
        x00100010: patientName,
        x0008103e: 'no bone',
      },
      pixels: { rows: image.rows, columns: image.columns, data: soft },
    });
    const file = writeDerived(derivedFilesDir(), 'muscle-no-bone.dcm', bytes);
    await viewer.gotoLocalFiles();
    await viewer.loadLocalFiles([file], patientName.split('^')[0]);
    await viewer.openStudyInMode(ROUTE_NAME, studyUid);
    await viewer.waitForImage();
    await viewer.dismissInvestigationalUseBanner();
    await waitForOneClickEnabled(page);
    await chooseContextFromMenu(page, BUTTON_IDS.contextSkeletalMuscle);

    const outcome = await runOneClick(page);
    expect(outcome.status).toBe('empty');
    expect(outcome.error).toBe(NO_MUSCLE_MESSAGE);
    await page
      .locator('[data-sonner-toast]')
      .filter({ hasText: 'SAM2: no muscle found' })
      .last()
      .waitFor({ state: 'visible', timeout: 10000 });
    const segment = (await activeSegments(page)).find((s) => s.label === 'Skeletal muscle (L3)');
    if (segment) expect((await segmentSlice(page, segment.segmentIndex)).voxels).toBe(0);
  });
});
