/**
 * A second context's segment survives OHIF's own segmentation statistics handler. OHIF 3.13 recomputes
 * segment statistics 1 s after a labelmap change (debounced) and, when the computation ends, writes back
 * a copy of the segment list taken before it started. A segment added in between (the second context's
 * One-Click right after the first context's write) used to vanish, although its voxels stayed.
 *
 * Each try, on a fresh segmentation: an L3 vertebra box, then within half a second Skeletal muscle (L3)
 * One-Click on the same slice (delays cycled, so the muscle segment lands before, in and after the host's
 * computation). Once the host has recomputed the statistics after the muscle write, both segments must be
 * in the segmentation (the muscle one active, holding exactly the written voxels), and a box prompt must
 * refine (replace) the muscle result instead of adding to it. Also: the result toast's wording.
 */
import type { Browser, Page } from 'playwright-core';
import { getContext } from '../../extension/src/contexts';
import { BUTTON_IDS, COMMANDS, DOM_IDS } from '../../extension/src/id';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import {
  chooseContextFromMenu,
  clearOutcome,
  dragPixels,
  findPixelByHu,
  instanceNumbers,
  openExampleCtInSam2Mode,
  runOneClick,
  runCommand,
  type Sam2Outcome,
  segmentSlice,
  showInstance,
  voxelsInside,
  waitForOutcome,
} from '../helpers/sam2';
import { e2eUrls } from '../helpers/servers';
import { writeArtifact } from '../helpers/artifacts';
import { recordTimings } from '../helpers/timings';
import { OhifViewerPage } from '../helpers/viewerPage';

const l3 = getContext('l3-vertebra');
const muscle = getContext('skeletal-muscle');
const TRIES = 20;
/** Delays (ms) from the vertebra result to the muscle One-Click, cycled over the tries. */
const DELAYS = [0, 0, 150, 300];
const DIALOG = '[data-cy="viewport-notification"]';

interface RaceWindow {
  services: {
    segmentationService: {
      getSegmentations(): Array<{
        segmentationId: string;
        segments: Record<string, { segmentIndex: number; label: string; active?: boolean } | undefined>;
      }>;
      remove(segmentationId: string): void;
    };
  };
  commandsManager: { runCommand(name: string, options?: Record<string, unknown>): unknown };
  cornerstone: { eventTarget: EventTarget; Enums: { Events: { WEB_WORKER_PROGRESS: string } } };
  sam2?: { lastOutcome?: Sam2Outcome };
  sam2RaceProbe?: { starts: number[]; finishes: number[]; events: Array<[string, number, string?]> };
}

/** Counts the host's statistics computations (Cornerstone's worker progress events), for the waits. */
function installStatsProbe(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as RaceWindow;
    if (w.sam2RaceProbe) return;
    const probe = {
      starts: [] as number[],
      finishes: [] as number[],
      events: [] as Array<[string, number, string?]>,
    };
    w.sam2RaceProbe = probe;
    const seg = w.services.segmentationService as unknown as {
      EVENTS: Record<string, string>;
      subscribe(e: string, cb: (p: { segmentationId: string }) => void): void;
      getSegmentation(id: string): { segments: Record<string, { label: string } | undefined> } | undefined;
    };
    seg.subscribe(seg.EVENTS.SEGMENTATION_MODIFIED, ({ segmentationId }) => {
      const labels = Object.values(seg.getSegmentation(segmentationId)?.segments ?? {}).map((x) => x?.label);
      probe.events.push(['modified', Math.round(performance.now()), labels.join('|')]);
    });
    w.cornerstone.eventTarget.addEventListener(w.cornerstone.Enums.Events.WEB_WORKER_PROGRESS, (e) => {
      const { type, progress } = (e as CustomEvent<{ type?: string; progress?: number }>).detail ?? {};
      if (type !== 'Computing Statistics') return;
      if (progress === 0) probe.starts.push(performance.now());
      if (progress === 100) probe.finishes.push(performance.now());
      probe.events.push([`stats${progress}`, Math.round(performance.now())]);
    });
  });
}

/** Whether a host statistics computation started after page time `since` and has finished since. */
function hostStatsRanAfter(page: Page, since: number): Promise<boolean> {
  return page.evaluate((t) => {
    const { starts, finishes } = (window as unknown as RaceWindow).sam2RaceProbe!;
    const start = starts.find((s) => s > t);
    return start !== undefined && finishes.some((f) => f > start);
  }, since);
}

function probeEvents(page: Page): Promise<Array<[string, number, string?]>> {
  return page.evaluate(() => (window as unknown as RaceWindow).sam2RaceProbe!.events.splice(0));
}

/** Every segment of every segmentation, as getSegmentations() returns them. */
function allSegments(page: Page) {
  return page.evaluate(() =>
    (window as unknown as RaceWindow).services.segmentationService.getSegmentations().flatMap((s) =>
      Object.values(s.segments)
        .filter((x) => !!x)
        .map((x) => ({ segmentationId: s.segmentationId, ...x! })),
    ),
  );
}

/**
 * Armed before the vertebra prompt: `delayMs` after that run's outcome, selects Skeletal muscle (L3) and
 * runs One-Click through the extension's commands (what the toolbar buttons run). Resolves with both
 * outcomes and the page time the muscle run ended; no `muscle` when the
 * vertebra run did not end within 45 s.
 */
function armMuscleOneClick(
  page: Page,
  delayMs: number,
): Promise<{ vertebra?: Sam2Outcome; muscle?: Sam2Outcome; endedAt: number }> {
  return page.evaluate(
    ([delay, setContext, oneClick, contextId]) =>
      new Promise<{ vertebra?: Sam2Outcome; muscle?: Sam2Outcome; endedAt: number }>((resolve) => {
        const w = window as unknown as RaceWindow;
        const deadline = Date.now() + 45000;
        const fire = async () => {
          const vertebra = w.sam2?.lastOutcome;
          w.commandsManager.runCommand(setContext, { contextId });
          const muscle = (await w.commandsManager.runCommand(oneClick)) as Sam2Outcome;
          resolve({ vertebra, muscle, endedAt: performance.now() });
        };
        const poll = setInterval(() => {
          if (w.sam2?.lastOutcome) {
            clearInterval(poll);
            setTimeout(() => void fire(), delay);
          } else if (Date.now() > deadline) {
            clearInterval(poll);
            resolve({ endedAt: performance.now() });
          }
        }, 10);
      }),
    [delayMs, COMMANDS.setContext, COMMANDS.oneClick, muscle.id] as const,
  );
}

/** How many times the extension's SegmentGuard put a segment back (the race was hit and repaired). */
function guardRestorations(page: Page): Promise<number | undefined> {
  return page.evaluate(
    () =>
      (window as unknown as { sam2?: { segmentGuard?: { restored: number } } }).sam2?.segmentGuard?.restored,
  );
}

function removeAllSegmentations(page: Page): Promise<void> {
  return page.evaluate(() => {
    const { segmentationService } = (window as unknown as RaceWindow).services;
    for (const s of segmentationService.getSegmentations()) segmentationService.remove(s.segmentationId);
  });
}

describeInBrowser(
  'A second context right after a SAM2 write keeps its segment (host statistics race)',
  () => {
    let browser: Browser;
    let viewer: OhifViewerPage;
    let page: Page;
    let slice: number;
    const log: unknown[] = [];

    beforeAll(async () => {
      browser = await launchChromium();
      viewer = await OhifViewerPage.open(browser, e2eUrls().viewerUrl);
      page = viewer.page;
      await openExampleCtInSam2Mode(viewer);
      const slices = await instanceNumbers(page);
      slice = slices[Math.floor(slices.length / 2)];
      await installStatsProbe(page);
    });
    afterAll(async () => {
      writeArtifact('context-switch-race.json', JSON.stringify(log, null, 2));
      await viewer?.close().catch(() => undefined);
      await browser?.close().catch(() => undefined);
    });

    /** Waits for the run's outcome; a Replace/Add question instead means it was not taken as a refinement. */
    async function refinementOutcome(gesture: () => Promise<void>): Promise<Sam2Outcome | 'asked'> {
      await clearOutcome(page);
      await gesture();
      // A dialog that never shows up leaves this wait pending instead of rejecting unobserved.
      const asked = page
        .locator(DIALOG)
        .waitFor({ state: 'visible', timeout: 45000 })
        .then(
          () => 'asked' as const,
          () => new Promise<never>(() => undefined),
        );
      const outcome = await Promise.race([waitForOutcome(page), asked]);
      if (outcome === 'asked')
        await page.locator(`${DIALOG} button[name="${DOM_IDS.confirmCancel}"]`).click();
      await page.waitForTimeout(600); // Cornerstone's double-click window before the next press
      return outcome;
    }

    /** Waits until a host statistics computation that started after page time `since` has finished. */
    async function hostStatsAfter(since: number): Promise<void> {
      const deadline = Date.now() + 20000;
      while (!(await hostStatsRanAfter(page, since))) {
        if (Date.now() > deadline) throw new Error('the host computed no statistics after the muscle write');
        await page.waitForTimeout(100);
      }
      await page.waitForTimeout(300);
    }

    it(
      `${TRIES} quick L3 vertebra → Skeletal muscle (L3) sequences: every segment survives, refinements replace`,
      async () => {
        const failures: string[] = [];
        const durations: number[] = [];
        for (let attempt = 0; attempt < TRIES; attempt++) {
          const delayMs = DELAYS[attempt % DELAYS.length];
          await removeAllSegmentations(page);
          await probeEvents(page);
          await showInstance(page, slice);
          await page.waitForTimeout(300);

          // 1. L3 vertebra: a box around the vertebral body (found from the CT's bone pixels).
          await chooseContextFromMenu(page, BUTTON_IDS.contextL3Vertebra);
          await runCommand(page, COMMANDS.activatePromptTool);
          const bone = await findPixelByHu(page, [200, 300, 320, 420], 180, 1200);
          expect(bone).toBeDefined();
          const [bx, by] = bone!;
          // 2. Within a second: Skeletal muscle (L3), then One-Click on the same slice. The host starts its
          // statistics computation 1 s after the vertebra write; a muscle segment added while it runs was lost.
          await clearOutcome(page);
          const started = Date.now();
          const sequence = armMuscleOneClick(page, delayMs);
          await dragPixels(page, [bx - 40, by - 35], [bx + 40, by + 35]);
          const { vertebra: vertebraRun, muscle: muscleRun, endedAt } = await sequence;
          durations.push(Date.now() - started);
          expect(vertebraRun?.status).toBe('written');
          if (!muscleRun) throw new Error('the vertebra run did not end');
          expect(muscleRun.status).toBe('written');

          // 3. Once the host has recomputed the statistics after the muscle write: both segments are there.
          await hostStatsAfter(endedAt);
          const segments = await allSegments(page);
          const muscleSegments = segments.filter((s) => s.label === muscle.segmentLabel);
          const vertebraSegments = segments.filter((s) => s.label === l3.segmentLabel);
          const problems: string[] = [];
          if (muscleSegments.length !== 1) problems.push(`${muscleSegments.length} muscle segments`);
          if (vertebraSegments.length !== 1) problems.push(`${vertebraSegments.length} vertebra segments`);
          const muscleSegment = muscleSegments[0];
          let refinement: Sam2Outcome | 'asked' | undefined;
          let outside = -1;
          if (muscleSegment) {
            if (!muscleSegment.active) problems.push('muscle segment not active');
            const written = await segmentSlice(page, muscleSegment.segmentIndex);
            if (written.voxels !== muscleRun.voxels)
              problems.push(`muscle voxels ${written.voxels} != written ${muscleRun.voxels}`);
            // 4. A box over the left half of the muscle result refines it: the result is replaced, so
            // (almost) nothing stays outside the box.
            // The box is centred on a written voxel of the left half, so the prompt starts on muscle (the
            // context keeps only voxels in the muscle HU range; a box centred on fat would give nothing).
            const [x0, y0, x1, y1] = written.bbox!;
            const [halfW, halfH] = [Math.round((x1 - x0) / 4), Math.round((y1 - y0) / 2)];
            const [cx, cy] = [x0 + halfW, Math.round((y0 + y1) / 2)];
            const anchor = written.indices
              .map((i) => [i % written.columns, Math.floor(i / written.columns)] as const)
              .filter(([x]) => x <= x0 + 2 * halfW)
              .reduce((a, b) =>
                Math.hypot(b[0] - cx, b[1] - cy) < Math.hypot(a[0] - cx, a[1] - cy) ? b : a,
              );
            const box = [anchor[0] - halfW, anchor[1] - halfH, anchor[0] + halfW, anchor[1] + halfH] as const;
            const rightHalf = written.voxels - voxelsInside(written, box);
            refinement = await refinementOutcome(() => dragPixels(page, [box[0], box[1]], [box[2], box[3]]));
            if (refinement === 'asked') problems.push('refinement asked Replace/Add (not a refinement)');
            else if (refinement.status !== 'written' && refinement.status !== 'unchanged')
              problems.push(`refinement ${refinement.status}`);
            const refined = await segmentSlice(page, muscleSegment.segmentIndex);
            outside = refined.voxels - voxelsInside(refined, box);
            if (rightHalf < 200)
              problems.push(`muscle result too small to tell (${rightHalf} outside the box)`);
            if (outside > refined.voxels * 0.05)
              problems.push(`refinement added: ${outside} of ${refined.voxels} voxels outside the box`);
          }
          const events = await probeEvents(page);
          const restoredSoFar = await guardRestorations(page);
          log.push({
            attempt,
            delayMs,
            vertebraRun,
            muscleRun,
            refinement,
            outside,
            segments,
            problems,
            restoredSoFar,
            events,
          });
          if (problems.length) failures.push(`try ${attempt} (delay ${delayMs} ms): ${problems.join('; ')}`);
          writeArtifact('context-switch-race.json', JSON.stringify(log, null, 2));
        }
        log.push({ restoredBySegmentGuard: await guardRestorations(page) });
        writeArtifact('context-switch-race.json', JSON.stringify(log, null, 2));
        recordTimings({ contextSwitchRaceMedianMs: durations.sort((a, b) => a - b)[durations.length >> 1] });
        expect(failures).toEqual([]);
      },
      TRIES * 60000,
    );

    it('the result toast reports the voxels the write changed, and says so when nothing changed', async () => {
      await removeAllSegmentations(page);
      await showInstance(page, slice);
      await runCommand(page, COMMANDS.setContext, { contextId: muscle.id });
      const toasts = page.locator('[data-sonner-toast]');
      const first = await runOneClick(page);
      expect(first.status).toBe('written');
      const segment = (await allSegments(page)).find((s) => s.label === muscle.segmentLabel)!;
      // On a fresh segmentation every voxel of the segment on this slice was changed by this write.
      const voxels = (await segmentSlice(page, segment.segmentIndex)).voxels;
      expect(voxels).toBeGreaterThan(0);
      // Toasts of the race test above may still be on screen: look for this write's own toast by its count.
      const written = toasts
        .filter({ hasText: `Segmented with SAM2: ${muscle.segmentLabel}` })
        .filter({ hasText: `${voxels.toLocaleString('en-US')} voxels changed` });
      await written.first().waitFor({ timeout: 10000 });

      // The same One-Click again refines the same interaction to the same mask: nothing changes.
      const again = await runOneClick(page);
      expect(again.status).toBe('unchanged');
      expect((await segmentSlice(page, segment.segmentIndex)).voxels).toBe(voxels);
      const unchanged = toasts.filter({ hasText: `SAM2: ${muscle.segmentLabel} unchanged` }).last();
      await unchanged.waitFor({ timeout: 10000 });
      const text = await unchanged.textContent();
      expect(text).toContain('no voxel changed');
      expect(text).not.toContain(`${voxels.toLocaleString('en-US')} voxel`);
      expect(text).not.toMatch(/\d px/);
    });
  },
);
