/**
 * Speculative encoding in the real viewer (issue 9, item 2): against a real SAM2 service whose FIXTURE
 * encoder is made slow (about a second, like a small real encoder on a CPU), on the real example CT.
 * - After the user stays on a slice, the viewer encodes it; the first click then sends only that
 *   image_id (no pixels) and the service answers from its embedding cache (response and /metrics).
 * - Scrolling on aborts the speculative request of the slice left behind (the browser reports the
 *   request aborted and the service counts a cancelled speculative encode), and scrolling through the
 *   series does not send one encode per slice.
 * Own service and viewer processes (the shared e2e service runs the fast fixture).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { writeFixtureModel } from '../../sam2-service/scripts/fixture/writeFixtureModel';
import { startServiceProcess, type ServiceProcess } from '../../sam2-service/scripts/lib/serviceProcess';
import { metricValue } from '../../sam2-service/test/helpers/metricsText';
import { startViewerProcess, type ViewerProcess } from '../../viewer/test/helpers/viewerProcess';
import { COMMANDS } from '../../extension/src/id';
import { launchChromium } from '../helpers/chromium';
import { describeInBrowser } from '../helpers/describeInBrowser';
import { pollUntil } from '../helpers/poll';
import {
  clickPixel,
  instanceNumbers,
  LIVER_POINT,
  LIVER_SLICE,
  openExampleCtInSam2Mode,
  promptAndWait,
  runCommand,
  showInstance,
} from '../helpers/sam2';
import { OhifViewerPage } from '../helpers/viewerPage';

/** About a second of encoder work on this machine (fixtureEncoder.ts: ~1.4–2 ms per layer). */
const SLOW_ENCODER_LAYERS = 600;
const ENCODE = '/api/segmentation/sam2/encode';
const SEGMENT = '/api/segmentation/sam2';

type Json = Record<string, unknown>;

interface Traffic {
  encodes: Request[];
  segments: Request[];
}

function watchTraffic(page: Page): Traffic {
  const t: Traffic = { encodes: [], segments: [] };
  const pathOf = (r: Request) => new URL(r.url()).pathname;
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    if (pathOf(r) === ENCODE) t.encodes.push(r);
    if (pathOf(r) === SEGMENT) t.segments.push(r);
  });
  return t;
}

/** Shows slice `index` of the active viewport without waiting for its render (a wheel step). */
function scrollTo(page: Page, indices: number[], stepMs: number): Promise<void> {
  return page.evaluate(
    async ([list, ms]) => {
      const w = window as unknown as {
        services: {
          viewportGridService: { getActiveViewportId(): string };
          cornerstoneViewportService: {
            getCornerstoneViewport(id: string): { setImageIdIndex(i: number): Promise<unknown> };
          };
        };
      };
      const viewport = w.services.cornerstoneViewportService.getCornerstoneViewport(
        w.services.viewportGridService.getActiveViewportId(),
      );
      for (const i of list) {
        void viewport.setImageIdIndex(i);
        await new Promise((r) => setTimeout(r, ms));
      }
    },
    [indices, stepMs] as [number[], number],
  );
}

describeInBrowser('Speculative encoding of the slice in view (slow FIXTURE encoder)', () => {
  let modelDir: string;
  let service: ServiceProcess;
  let viewerServer: ViewerProcess;
  let browser: Browser;
  let viewer: OhifViewerPage;
  let traffic: Traffic;

  beforeAll(async () => {
    modelDir = mkdtempSync(path.join(os.tmpdir(), 'sam2-spec-model-'));
    await writeFixtureModel({ family: 'samexporter', outDir: modelDir, encoderLayers: SLOW_ENCODER_LAYERS });
    service = await startServiceProcess({ SAM2_MODEL_DIR: modelDir });
    await service.waitReady(120000);
    viewerServer = await startViewerProcess({
      SAM2_SERVICE_URL: service.url,
      VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR ?? '',
    });
    browser = await launchChromium();
    viewer = await OhifViewerPage.open(browser, viewerServer.url);
    traffic = watchTraffic(viewer.page);
    await openExampleCtInSam2Mode(viewer);
  });
  afterAll(async () => {
    await viewer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await viewerServer?.stop().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  });

  /** Each speculative encode so far: slice index and how it ended (for failure messages). */
  const trafficLog = () =>
    traffic.encodes.map((r) => ({
      slice: (r.postDataJSON() as Json).slice_index,
      failed: r.failure()?.errorText,
    }));

  /** The first speculative encode of slice `index` that was answered 200, and its image_id. */
  async function completedEncode(index: number): Promise<{ request: Request; imageId: string }> {
    const found = await pollUntil(
      async () => {
        for (const request of traffic.encodes) {
          if ((request.postDataJSON() as Json).slice_index !== index || request.failure()) continue;
          const response = await request.response().catch(() => null);
          if (response?.status() === 200) {
            return { request, imageId: ((await response.json()) as { image_id: string }).image_id };
          }
        }
        return null;
      },
      (v) => v !== null,
      { timeoutMs: 30000, what: `a completed speculative encode of slice ${index}` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; encodes: ${JSON.stringify(trafficLog())}`);
    });
    return found!;
  }

  it('after a dwell the first click sends only the image_id and is served from the embedding cache', async () => {
    const { page } = viewer;
    const shown = await showInstance(page, LIVER_SLICE);
    // The speculative encode of the shown slice: its body carries the pixels of this slice, no prompts.
    const { request: encode, imageId } = await completedEncode(shown.index);
    const encodeBody = encode.postDataJSON() as Json;
    expect(typeof encodeBody.image_data).toBe('string');
    expect(encodeBody.prompts).toBeUndefined();
    expect(encodeBody.sop_uid).toBe(shown.sopInstanceUid);
    expect(imageId).toMatch(/^[0-9a-f]{64}$/);
    const requested = await metricValue(service.url, 'sam2_speculative_encodes_total', {
      outcome: 'requested',
    });
    expect(requested).toBeGreaterThanOrEqual(1);

    await runCommand(page, COMMANDS.activatePromptTool);
    const before = traffic.segments.length;
    const outcome = await promptAndWait(page, () => clickPixel(page, LIVER_POINT));
    expect(outcome.status).toBe('written');
    const click = traffic.segments.slice(before);
    expect(click).toHaveLength(1);
    const body = click[0].postDataJSON() as Json;
    expect(body.image_id).toBe(imageId);
    expect(body.image_data).toBeUndefined();
    const answer = (await (await click[0].response())!.json()) as Json;
    expect(answer.embedding_cached).toBe(true);
    expect(answer.image_id).toBe(imageId);
    expect((outcome as { embeddingCached?: boolean }).embeddingCached).toBe(true);
    const used = await metricValue(service.url, 'sam2_speculative_encodes_total', { outcome: 'used' });
    expect(used).toBeGreaterThanOrEqual(1);
  });

  it('scrolling on aborts the speculative encode of the slice left behind; a fast scroll sends no encode per slice', async () => {
    const { page } = viewer;
    const order = await instanceNumbers(page);
    const at = order.indexOf(LIVER_SLICE);
    const cancelled = () =>
      metricValue(service.url, 'sam2_speculative_encodes_total', { outcome: 'cancelled' });
    const cancelledBefore = await cancelled();

    // Stay on a slice until its encode is on its way, then move on: the browser aborts that request.
    // The worker is busy with an earlier encode (about a second each), so the encode of the slice left
    // behind is still queued in the service, which drops it and counts it cancelled. (An encode already
    // running completes and is cached, by design: docs/api.md "Speculative encoding".)
    let hops = 0;
    let abortedInBrowser = 0;
    let serverCancelled = cancelledBefore;
    while ((serverCancelled === cancelledBefore || abortedInBrowser === 0) && hops < 8) {
      hops++;
      const sentBefore = traffic.encodes.length;
      const shown = await showInstance(page, order[(at + 2 * hops) % order.length]);
      const encode = await pollUntil(
        async () =>
          traffic.encodes
            .slice(sentBefore)
            .find((r) => (r.postDataJSON() as Json).slice_index === shown.index) ?? null,
        (r) => r !== null,
        { timeoutMs: 30000, what: `a speculative encode of slice ${shown.instanceNumber}` },
      );
      await showInstance(page, order[(at + 2 * hops + 1) % order.length]);
      // Either the browser aborts it, or it had already been answered before the scroll.
      await encode!.response().catch(() => null);
      if (/ABORTED|cancel/i.test(encode!.failure()?.errorText ?? '')) abortedInBrowser++;
      serverCancelled = await pollUntil(cancelled, (n) => n > cancelledBefore, {
        timeoutMs: 3000,
        what: 'a cancelled speculative encode',
      }).catch(() => cancelledBefore);
    }
    expect({ abortedInBrowser: abortedInBrowser > 0, log: trafficLog() }).toMatchObject({
      abortedInBrowser: true,
    });
    expect(serverCancelled).toBeGreaterThan(cancelledBefore);

    // A fast scroll through the whole series (a wheel step every 40 ms): at most the slice it started
    // from and the one it stops on are encoded, not every slice on the way.
    const sentBeforeScroll = traffic.encodes.length;
    const all = order.map((_, i) => i);
    await scrollTo(page, [...all, ...all.slice().reverse()], 40);
    const lastIndex = all[0];
    await pollUntil(
      async () =>
        traffic.encodes
          .slice(sentBeforeScroll)
          .some((r) => (r.postDataJSON() as Json).slice_index === lastIndex),
      (v) => v,
      { timeoutMs: 30000, what: 'the encode of the slice the scroll stopped on' },
    );
    const during = traffic.encodes.slice(sentBeforeScroll);
    expect(during.length).toBeLessThanOrEqual(3);
    expect(during.length).toBeLessThan(all.length);
  });
});
