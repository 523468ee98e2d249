/**
 * A click lands on the image pixel under the mouse, on any image geometry: field case b01 (256 columns ×
 * 320 rows, 0.98 mm between rows, 1.95 mm between columns) and images derived from it at test time (a
 * square anisotropic matrix, an oblique plane), in a viewport that is zoomed, panned, rotated and flipped,
 * and in MPR. Click targets are found from the rendered canvas pixels (bright markers burnt into the
 * images), never from coordinate code; the request's point is read from the request the page sends, and
 * the mask from the labelmap through the host's segmentation API.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { getContext } from '../../extension/src/contexts';
import { COMMANDS, DOM_IDS } from '../../extension/src/id';
import { OUTSIDE_CLICK_MESSAGE } from '../../extension/src/tools/gesturePrompt';
import { ROUTE_NAME } from '../../mode/src/ids';
import {
  affineFrom,
  type Blob,
  canvasColourAt,
  findCanvasBlobs,
  type PageAffine,
} from '../helpers/canvasMarkers';
import { launchChromium } from '../helpers/chromium';
import { artifactsDir } from '../helpers/paths';
import { setLayout } from '../helpers/layout';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  type DicomImage,
  deriveDicom,
  derivedFilesDir,
  readDicom,
  sameLengthUid,
  storedValue,
  writeDerived,
} from '../helpers/dicomDerive';
import {
  clearOutcome,
  runCommand,
  type Sam2Outcome,
  segmentByLabel,
  segmentSlice,
  type SegmentSlice,
  waitForOneClickEnabled,
  waitForOutcome,
} from '../helpers/sam2';
import { e2eUrls } from '../helpers/servers';
import { sharedDataDir } from '../helpers/testData';
import { OhifViewerPage } from '../helpers/viewerPage';
import { decodeRle } from '../../sam2-service/src/mask/rle';
import type { Rle } from '../../sam2-service/src/mask/rle';

const fieldCasesDir = process.env.FIELD_CASES_DIR ?? path.resolve(sharedDataDir, '..', 'field-cases');
const B01_FILE = path.join(fieldCasesDir, 'b01-anisotropic-pixel-click', 'nonsquare_aniso.dcm');
const hasB01 = existsSync(B01_FILE);
if (!hasB01) console.warn(`Click geometry browser tests skipped: field case b01 not found at ${B01_FILE}.`);
const describeWithB01: jest.Describe = hasB01 ? describeInBrowser : describe.skip;

const structure = getContext('structure');
const SEGMENT_PATH = '/api/segmentation/sam2';

/** b01's own marker (1200 HU): columns 220–231, rows 16–39 (field-cases/README.md). */
const B01_MARKER = { x0: 220, y0: 16, x1: 231, y1: 39 };
/** A liver pixel of b01 (field-cases/README.md). */
const B01_LIVER = { column: 94, row: 189 };

/**
 * Three markers burnt into the derived images at MARKER_HU (above any tissue in this CT, max 1438 HU), in
 * the air around the body; their pixel counts differ (128 / 60 / 24) so they are told apart on screen by
 * area at any zoom. Inclusive [x0, y0, x1, y1] in b01's pixels.
 */
const MARKER_HU = 3000;
const MARKERS = [
  { x0: 8, y0: 45, x1: 15, y1: 60 },
  { x0: 240, y0: 272, x1: 245, y1: 281 },
  { x0: 6, y0: 288, x1: 9, y1: 293 },
] as const;
/** Slices of the derived series for MPR. */
const MPR_SLICES = 8;
/** Rows of b01 kept for the square (256 × 256) derivative. */
const SQUARE_FIRST_ROW = 40;

interface Case {
  name: string;
  patientName: string;
  studyUid: string;
  /** Row offset of this image's pixels in b01 (the square crop starts lower). */
  rowOffset: number;
  file: string;
  /** All files of the case when it is a series. */
  files?: string[];
}

type Rect = { x0: number; y0: number; x1: number; y1: number };

/** Centre of an inclusive pixel block, in prompt coordinates ((0, 0) = corner of the first pixel). */
function blockCentre(b: Rect, rowOffset = 0): { x: number; y: number } {
  return { x: (b.x0 + b.x1 + 1) / 2, y: (b.y0 + b.y1 + 1) / 2 - rowOffset };
}

function withMarkers(image: DicomImage): Uint16Array | Int16Array {
  const data = image.pixels.slice();
  const value = storedValue(image, MARKER_HU);
  for (const m of MARKERS)
    for (let y = m.y0; y <= m.y1; y++) for (let x = m.x0; x <= m.x1; x++) data[y * image.columns + x] = value;
  return data;
}

function ds(values: number[]): string {
  return values.map((v) => String(Number(v.toFixed(10)))).join('\\');
}

/** b01 and its derivatives, each a study of its own (same-length UIDs, own patient name). */
function writeCases(): Case[] {
  const b01 = readDicom(B01_FILE);
  const dir = derivedFilesDir();
  const str = (tag: string) => b01.dataSet.string(tag)!;
  const uids = (n: number) => ({
    x0020000d: sameLengthUid(str('x0020000d'), 9000 + n),
    x0020000e: sameLengthUid(str('x0020000e'), 9000 + n),
    x00080018: sameLengthUid(str('x00080018'), 9000 + n),
    x00020003: sameLengthUid(str('x00080018'), 9000 + n),
  });
  const [rowSpacing, columnSpacing] = str('x00280030').split('\\').map(Number);
  const ipp = str('x00200032').split('\\').map(Number);
  const marked = withMarkers(b01);
  const cases: Case[] = [
    { name: 'b01', patientName: str('x00100010'), studyUid: str('x0020000d'), rowOffset: 0, file: B01_FILE },
  ];
  const add = (
    n: number,
    name: string,
    rowOffset: number,
    strings: Record<string, string>,
    rows = b01.rows,
  ) => {
    const u = uids(n);
    const patientName = `GeometryTest^${name}`;
    const data = marked.subarray(rowOffset * b01.columns, (rowOffset + rows) * b01.columns);
    const bytes = deriveDicom(b01, {
      strings: { ...u, x00100010: patientName, x0008103e: `geometry ${name}`, ...strings },
      pixels: { rows, columns: b01.columns, data },
    });
    cases.push({
      name,
      patientName,
      studyUid: u.x0020000d,
      rowOffset,
      file: writeDerived(dir, `${name}.dcm`, bytes),
    });
  };
  add(1, 'nonsquare-markers', 0, {});
  // Rows 40..295: 256 × 256, the same unequal spacing; IPP moves 40 rows down the column direction.
  add(
    2,
    'square-markers',
    SQUARE_FIRST_ROW,
    { x00200032: ds([ipp[0], ipp[1] + SQUARE_FIRST_ROW * rowSpacing, ipp[2]]) },
    256,
  );
  // Oblique: rows turned 30° about the patient's z axis, columns tilted 20° out of the axial plane.
  const [c30, s30, c20, s20] = [
    Math.cos(Math.PI / 6),
    Math.sin(Math.PI / 6),
    Math.cos(Math.PI / 9),
    Math.sin(Math.PI / 9),
  ];
  add(3, 'oblique-markers', 0, { x00200037: ds([c30, s30, 0, -s30 * c20, c30 * c20, s20]) });
  // A series of MPR_SLICES copies 3 mm apart (z ascending): a volume for OHIF's MPR layout.
  const series = uids(4);
  const mprFiles: string[] = [];
  for (let k = 0; k < MPR_SLICES; k++) {
    const z = ipp[2] + 3 * k;
    const bytes = deriveDicom(b01, {
      strings: {
        ...series,
        x00080018: sameLengthUid(str('x00080018'), 9400 + k),
        x00020003: sameLengthUid(str('x00080018'), 9400 + k),
        x00100010: 'GeometryTest^mpr-series',
        x0008103e: 'geometry mpr-series',
        x00200013: String(k + 1),
        x00200032: ds([ipp[0], ipp[1], z]),
        x00201041: ds([z]),
      },
      pixels: { rows: b01.rows, columns: b01.columns, data: marked },
    });
    mprFiles.push(writeDerived(dir, `mpr-${k + 1}.dcm`, bytes));
  }
  cases.push({
    name: 'mpr-series',
    patientName: 'GeometryTest^mpr-series',
    studyUid: series.x0020000d,
    rowOffset: 0,
    file: mprFiles[0],
    files: mprFiles,
  });
  expect(columnSpacing).toBeGreaterThan(rowSpacing); // b01 really is anisotropic
  return cases;
}

describeWithB01('SAM2 clicks on any image geometry (field case b01 and derived images)', () => {
  let browser: Browser;
  let viewer: OhifViewerPage;
  let page: Page;
  let cases: Case[];
  const sent: Array<Record<string, unknown>> = [];
  const onRequest = (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith(SEGMENT_PATH))
      sent.push(request.postDataJSON() as Record<string, unknown>);
  };

  beforeAll(async () => {
    cases = writeCases();
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
    page = viewer.page;
    // A tall page: the image (500 × 312.5 mm) still fits when turned by 90° and zoomed in.
    await page.setViewportSize({ width: 1000, height: 1400 });
    page.on('request', onRequest);
    await viewer.gotoLocalFiles();
    await viewer.loadLocalFiles(
      cases.flatMap((c) => c.files ?? [c.file]),
      cases[cases.length - 1].patientName.split('^')[0],
    );
  });
  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
  });

  const byName = (name: string) => cases.find((c) => c.name === name)!;

  async function open(c: Case): Promise<void> {
    await viewer.openStudyInMode(ROUTE_NAME, c.studyUid);
    await page.waitForFunction(
      (uid) => {
        const w = window as unknown as {
          services?: {
            viewportGridService: { getActiveViewportId(): string };
            cornerstoneViewportService: {
              getCornerstoneViewport(id: string): { getCurrentImageId?(): string } | undefined;
            };
          };
          cornerstone?: {
            metaData: { get(m: string, id: string): { studyInstanceUID?: string } | undefined };
          };
        };
        const id = w.services?.cornerstoneViewportService
          .getCornerstoneViewport(w.services.viewportGridService.getActiveViewportId())
          ?.getCurrentImageId?.();
        return !!id && w.cornerstone?.metaData.get('generalStudyModule', id)?.studyInstanceUID === uid;
      },
      c.studyUid,
      { timeout: 60000 },
    );
    await viewer.waitForImage();
    await viewer.dismissInvestigationalUseBanner();
    await waitForOneClickEnabled(page);
    await runCommand(page, COMMANDS.activatePromptTool);
    await page.mouse.move(1, 1);
  }

  /** The three derived markers on screen, biggest first, mapped to their pixel-block centres. */
  async function markerAffine(c: Case): Promise<PageAffine> {
    const blobs = await findCanvasBlobs(page, {
      voiRange: { lower: MARKER_HU - 1000, upper: MARKER_HU + 100 },
      levels: [128, 255],
      minArea: 6,
    });
    if (blobs.length < 3) {
      await page.screenshot({ path: path.join(artifactsDir, `geometry-${c.name}-markers.png`) });
      console.warn(JSON.stringify(blobs));
    }
    expect(blobs.length).toBeGreaterThanOrEqual(3);
    const [big, mid, small] = blobs;
    // Their areas keep the 128 : 60 : 24 pixel-count ratios (any view scales all three alike).
    expect(big.area / small.area).toBeGreaterThan(3);
    expect(mid.area / small.area).toBeGreaterThan(1.7);
    return affineFrom(
      [big, mid, small].map((b: Blob, i) => ({
        slice: blockCentre(MARKERS[i], c.rowOffset),
        page: { x: b.x, y: b.y },
      })),
    );
  }

  interface SentPrompts {
    points?: Array<{ x: number; y: number }>;
    box?: [number, number, number, number];
  }

  /** Runs a mouse gesture; answers Replace if asked; resolves with the outcome, the sent prompts, the answer. */
  async function segmentWith(gesture: () => Promise<void>) {
    await runCommand(page, COMMANDS.startOver);
    await clearOutcome(page);
    const before = sent.length;
    const response = page
      .waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(SEGMENT_PATH),
        { timeout: 60000 },
      )
      .then((r) => r.json() as Promise<{ masks?: Array<{ rle: Rle }> }>);
    response.catch(() => undefined);
    await gesture();
    const dialog = page.locator('[data-cy="viewport-notification"]');
    const first = await Promise.race([
      waitForOutcome(page).then(() => 'outcome' as const),
      dialog.waitFor({ state: 'visible', timeout: 45000 }).then(() => 'dialog' as const),
    ]);
    if (first === 'dialog') await dialog.locator(`button[name="${DOM_IDS.confirmReplace}"]`).click();
    const outcome: Sam2Outcome = await waitForOutcome(page);
    await page.waitForTimeout(600); // Cornerstone's double-click window before the next press
    const requested = sent.length > before;
    const prompts = requested ? (sent[sent.length - 1].prompts as SentPrompts | undefined) : undefined;
    // No request at all (the gesture was refused): do not wait for a response that never comes.
    return { outcome, prompts, response: requested ? await response : {} };
  }

  /** A click at a page position: the outcome, the last point sent, the service's answer. */
  async function clickAndSegment(at: { x: number; y: number }) {
    const { outcome, prompts, response } = await segmentWith(() => page.mouse.click(at.x, at.y));
    return { outcome, point: prompts?.points?.[prompts.points.length - 1], response };
  }

  async function structureSlice(): Promise<SegmentSlice> {
    return segmentSlice(page, (await segmentByLabel(page, structure.segmentLabel)).segmentIndex);
  }

  function expectNear(
    point: { x: number; y: number } | undefined,
    x: number,
    y: number,
    tolerance = 1,
  ): void {
    expect(point).toBeDefined();
    expect(Math.abs(point!.x - x)).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(point!.y - y)).toBeLessThanOrEqual(tolerance);
  }

  /** b01's marker is exactly 1200 HU: with a 1190–1210 HU window it is the largest mid-grey blob. */
  async function findB01Marker(): Promise<Blob | undefined> {
    const [marker] = await findCanvasBlobs(page, {
      voiRange: { lower: 1190, upper: 1210 },
      levels: [60, 200],
      minArea: 4,
    });
    return marker;
  }

  /** Zoom, pan, rotation, flips of the active viewport (Cornerstone's view presentation). */
  async function setPresentation(presentation: Record<string, unknown>): Promise<void> {
    await page.evaluate((p) => {
      const w = window as unknown as {
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: {
            getCornerstoneViewport(id: string): { setViewPresentation(p: object): void; render(): void };
          };
        };
      };
      const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      );
      vp.setViewPresentation(p);
      vp.render();
    }, presentation);
  }

  it('b01: a click beside the image tells the user and sends nothing', async () => {
    await open(byName('b01'));
    const markerAt1 = (await findB01Marker())!;
    // Zoom out so the canvas has an empty border around the image.
    await setPresentation({ zoom: 0.4 });
    const zoomed = (await findB01Marker())!;
    expect(zoomed.area).toBeLessThan(markerAt1.area / 2); // really zoomed out
    // Left of the image, 40 % down: clear of the corner texts and the orientation letters.
    const canvas = await page.evaluate(() => {
      const w = window as unknown as {
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: { getCornerstoneViewport(id: string): { canvas: HTMLCanvasElement } };
        };
      };
      const { x, y, width, height } = w.services.cornerstoneViewportService
        .getCornerstoneViewport(w.services.viewportGridService.getActiveViewportId())
        .canvas.getBoundingClientRect();
      return { x, y, width, height };
    });
    const beside = { x: canvas.x + canvas.width * 0.1, y: canvas.y + canvas.height * 0.4 };
    // The image's left edge lies 220 marker-widths / 12 left of the marker.
    const imageLeft = zoomed.bbox[0] - (B01_MARKER.x0 * (zoomed.bbox[2] - zoomed.bbox[0])) / 12;
    expect(beside.x).toBeLessThan(imageLeft - 10);
    const before = sent.length;
    await clearOutcome(page);
    await page.mouse.click(beside.x, beside.y);
    const outcome = await waitForOutcome(page, 10000);
    expect(outcome).toEqual({ status: 'skipped', error: OUTSIDE_CLICK_MESSAGE });
    await page.getByText(OUTSIDE_CLICK_MESSAGE).first().waitFor({ timeout: 10000 });
    expect(sent.length).toBe(before);
    await page.waitForTimeout(600);
    await setPresentation({ zoom: 1, pan: [0, 0] });
  });

  it('b01: a click on the marker sends about (225.5, 27.5) and the mask covers columns 220–231, rows 16–39', async () => {
    await open(byName('b01'));
    const marker = await findB01Marker();
    expect(marker).toBeDefined();
    const { outcome, point, response } = await clickAndSegment(marker!);
    expect(outcome.status).toBe('written');
    expectNear(point, (B01_MARKER.x0 + B01_MARKER.x1 + 1) / 2, (B01_MARKER.y0 + B01_MARKER.y1 + 1) / 2);
    // The labelmap holds exactly the service's mask, pixel for pixel (same rows and columns).
    const mask = await structureSlice();
    expect(response.masks).toHaveLength(1);
    const served = decodeRle(response.masks![0].rle);
    const servedIndices = [...served.keys()].filter((i) => served[i] === 1);
    expect(mask.indices).toEqual(servedIndices);
    // On the marker: inside its columns 220–231 and rows 16–39 and up to its edges (the FIXTURE model's
    // region growing stops up to one pixel short of an edge).
    const [x0, y0, x1, y1] = mask.bbox!;
    expect(x0 >= B01_MARKER.x0 && x0 <= B01_MARKER.x0 + 1).toBe(true);
    expect(y0 >= B01_MARKER.y0 && y0 <= B01_MARKER.y0 + 1).toBe(true);
    expect(x1 <= B01_MARKER.x1 && x1 >= B01_MARKER.x1 - 1).toBe(true);
    expect(y1 <= B01_MARKER.y1 && y1 >= B01_MARKER.y1 - 1).toBe(true);
  });

  async function clickLiver(c: Case): Promise<void> {
    const toPage = await markerAffine(c);
    const target = { x: B01_LIVER.column + 0.5, y: B01_LIVER.row - c.rowOffset + 0.5 };
    const at = toPage.toPage(target);
    const grey = await canvasColourAt(page, at);
    const { outcome, point } = await clickAndSegment(at);
    expect(outcome.status).toMatch(/written|unchanged/);
    expectNear(point, target.x, target.y);
    const mask = await structureSlice();
    expect(mask.indices).toContain((B01_LIVER.row - c.rowOffset) * mask.columns + B01_LIVER.column);
    // And the viewer draws the mask where the user clicked: the liver, grey before, is tinted now.
    expect(Math.max(...grey) - Math.min(...grey)).toBeLessThan(8);
    const tinted = await canvasColourAt(page, at);
    expect(Math.max(...tinted) - Math.min(...tinted)).toBeGreaterThan(20);
  }

  it.each(['nonsquare-markers', 'square-markers', 'oblique-markers'])(
    '%s: a click on liver pixel (94, 189) found via the markers sends about (94.5, 189.5) and masks that pixel',
    async (name) => {
      const c = byName(name);
      await open(c);
      await clickLiver(c);
    },
  );

  it.each([
    { zoom: 1.5, pan: [25, -15], rotation: 90, flipHorizontal: true },
    { zoom: 0.7, pan: [-30, 20], rotation: 30, flipHorizontal: false },
    { zoom: 0.9, pan: [10, 10], rotation: 180, flipHorizontal: false, flipVertical: true },
  ])('oblique, square and non-square alike in a transformed view: %j', async (presentation) => {
    for (const name of ['nonsquare-markers', 'square-markers', 'oblique-markers']) {
      const c = byName(name);
      await open(c);
      await setPresentation(presentation);
      await clickLiver(c);
    }
  });
  it('a box dragged on screen is sent in image pixels (square anisotropic image, turned and flipped view)', async () => {
    const c = byName('square-markers');
    await open(c);
    await setPresentation({
      zoom: 1.2,
      pan: [0, 0],
      rotation: 270,
      flipHorizontal: true,
      flipVertical: false,
    });
    const toPage = await markerAffine(c);
    // A box of 20 × 20 pixels (39 × 19.5 mm) around the liver pixel, by two opposite corners on screen.
    const row = B01_LIVER.row - c.rowOffset;
    const corner0 = { x: B01_LIVER.column - 10, y: row - 10 };
    const corner1 = { x: B01_LIVER.column + 10, y: row + 10 };
    const a = toPage.toPage(corner0);
    const b = toPage.toPage(corner1);
    const { outcome, prompts } = await segmentWith(async () => {
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(b.x, b.y, { steps: 8 });
      await page.mouse.up();
    });
    expect(outcome.status).toMatch(/written|unchanged/);
    expect(prompts?.box).toBeDefined();
    const [x0, y0, x1, y1] = prompts!.box!;
    [
      [x0, corner0.x],
      [y0, corner0.y],
      [x1, corner1.x],
      [y1, corner1.y],
    ].forEach(([sentValue, expected]) => expect(Math.abs(sentValue - expected)).toBeLessThanOrEqual(1));
    const mask = await structureSlice();
    expect(mask.indices).toContain(row * mask.columns + B01_LIVER.column);
    expect(mask.bbox![0]).toBeGreaterThanOrEqual(corner0.x - 1);
    expect(mask.bbox![2]).toBeLessThanOrEqual(corner1.x);
  });

  it('MPR: in the axial (acquisition-plane) viewport of an anisotropic volume the click and the write-back agree', async () => {
    const c = byName('mpr-series');
    // A wide page: three viewports side by side, each still large enough to see the small marker.
    await page.setViewportSize({ width: 2400, height: 1200 });
    await open(c);
    await setLayout(page, 'mpr');
    await page.evaluate(() =>
      (
        window as unknown as { services: { viewportGridService: { setActiveViewportId(id: string): void } } }
      ).services.viewportGridService.setActiveViewportId('mpr-axial'),
    );
    await page.waitForFunction(() => {
      const w = window as unknown as {
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: {
            getCornerstoneViewport(id: string): { type: string; getCurrentImageId?(): string } | undefined;
          };
        };
      };
      const id = w.services.viewportGridService.getActiveViewportId();
      const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(id);
      return id === 'mpr-axial' && vp?.type === 'orthographic' && !!vp.getCurrentImageId?.();
    });
    // The axial viewport renders a cached volume whose slices include the shown image.
    const volumeHoldsImage = await page.evaluate(() => {
      const w = window as unknown as {
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: {
            getCornerstoneViewport(id: string): { getVolumeId(): string; getCurrentImageId(): string };
          };
        };
        cornerstone: { cache: { getVolume(id: string): { imageIds: string[] } | undefined } };
      };
      const vp = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      );
      return !!w.cornerstone.cache.getVolume(vp.getVolumeId())?.imageIds.includes(vp.getCurrentImageId());
    });
    expect(volumeHoldsImage).toBe(true);
    await waitForOneClickEnabled(page);
    await runCommand(page, COMMANDS.activatePromptTool);
    await page.mouse.move(1, 1);
    // Keep the image clear of the viewport's slice scrollbar on its right edge.
    await setPresentation({ zoom: 0.85 });
    await clickLiver(c);
    await setLayout(page, 'stack');
  });
});
