/**
 * The SAM2 interaction, end to end: from a button press or a prompt on the viewport to a mask in the
 * labelmap. Owns the small amount of state the feature needs (selected context, the running request,
 * the current prompt interaction, service availability, speculative encoding) and wires the layers
 * together; each step of a run lives in run/ (read and check, ask, request, choose, write, report), the
 * rest in api/, imaging/, labelmap/, ui/, availability/ and speculation/.
 */
import { fetchServiceLimits, ServiceLimitsCache } from './api/limits';
import { checkReadiness } from './api/readiness';
import { ImageIdCache } from './api/request';
import type { EncodeSliceInput } from './api/encodeSlice';
import type { SegmentResponse } from './api/types';
import { AvailabilityPoller } from './availability/poller';
import type { Availability } from './availability/poller';
import type { ViewportFactsWithTool } from './availability/viewportFacts';
import { readViewportFacts } from './availability/viewportFacts';
import { getConfig } from './config';
import { getContext, huRangeOf } from './contexts';
import type { Sam2Context } from './contexts';
import { getCornerstoneLibraries } from './host/cornerstone';
import type {
  CommandsManagerLike,
  CornerstoneLibraries,
  ExtensionManagerLike,
  ServicesLike,
  ServicesManagerLike,
  ViewportLike,
} from './host/types';
import { TOOL_NAME } from './id';
import { viewportCentre } from './imaging/coords';
import { askWriteMode, reviewPrompt } from './run/ask';
import type { PromptReview } from './run/ask';
import { chooseResult, restrictToTissue } from './run/choose';
import { ClickTimer } from './run/clickTimer';
import { readSlice } from './imaging/slice';
import type { SliceInfo } from './imaging/slice';
import type { WriteMode } from './labelmap/decision';
import { readAndCheck } from './run/readAndCheck';
import { failureFollowUp, reportEmpty, reportFailure, reportNoMuscle, reportSuccess } from './run/report';
import { derivedBox, promptsFor, requestMasks, sliceRequestInput } from './run/request';
import type { MuscleUnion } from './run/musclePrompts';
import { derivedMuscleGroups, requestMuscleUnion } from './run/musclePrompts';
import type { RunEnv, RunOutcome } from './run/types';
import { writeResult } from './run/write';
import { Speculator } from './speculation/speculator';
import { watchShownSlices } from './speculation/sliceWatcher';
import type { Gesture, PromptToolHandlers } from './tools/Sam2PromptTool';
import { promptToolBindings, registerPromptTool } from './tools/Sam2PromptTool';
import { gestureToPrompt } from './tools/gesturePrompt';
import type { PromptInput, PromptSession, PromptSet } from './tools/promptSession';
import { toPrompts } from './tools/promptSession';
import { showInfo } from './ui/notifications';
import { showProcessingOverlay } from './ui/overlay';
import { BodyComposition } from './panels/bodyComposition';
import { SegmentGuard } from './labelmap/segmentGuard';

export type { RunOutcome } from './run/types';

export interface ControllerDeps {
  servicesManager: ServicesManagerLike;
  commandsManager: CommandsManagerLike;
  extensionManager: ExtensionManagerLike;
}

let requestCounter = 0;

/** What the steps after the request need to know about the run. */
interface RunState {
  viewportId: string;
  viewport: ViewportLike;
  slice: SliceInfo;
  context: Sam2Context;
  review: PromptReview;
  mode: WriteMode;
  prompts: PromptSet;
  abort: AbortSignal;
  timer: ClickTimer;
  /** performance.now() when the request started. */
  started: number;
  /** A muscle One-Click: the union of the muscle groups' masks, written instead of one answer's mask. */
  union?: MuscleUnion;
}

export class Sam2Controller implements PromptToolHandlers {
  contextId = getContext(getConfig().defaultContext).id;
  private running?: { abort: AbortController; viewportId: string };
  /** The Replace/Add/Cancel question is on screen: no second run may start meanwhile. */
  private asking = false;
  private session?: PromptSession;
  private readonly imageIds = new ImageIdCache();
  private readonly limits = new ServiceLimitsCache(() => fetchServiceLimits(getConfig().infoUrl));
  private poller?: AvailabilityPoller;
  private libsCache?: CornerstoneLibraries;
  private unsubscribes: Array<() => void> = [];
  private speculator?: Speculator;
  private stopWatching?: () => void;
  /** The last run's outcome (read by the e2e tests through window.sam2). */
  lastOutcome?: RunOutcome;
  /** Puts back segments SAM2 made that OHIF's statistics write-back dropped (see segmentGuard.ts). */
  readonly segmentGuard: SegmentGuard;
  /** Body-composition figures for the panel (and the e2e tests through window.sam2). */
  readonly bodyComposition: BodyComposition;

  constructor(private readonly deps: ControllerDeps) {
    this.bodyComposition = new BodyComposition(
      () => this.libs(),
      () => this.services,
    );
    this.segmentGuard = new SegmentGuard(
      () => this.services,
      () => this.libs(),
    );
  }

  private get services(): ServicesLike {
    return this.deps.servicesManager.services;
  }

  /** The host services, for the panel module. */
  get servicesForPanels(): ServicesLike {
    return this.services;
  }

  libs(): CornerstoneLibraries {
    this.libsCache ??= getCornerstoneLibraries(this.deps.extensionManager);
    return this.libsCache;
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /** Every mode: make the tool class known to the host (cheap, once per page). */
  onModeEnter(): void {
    registerPromptTool(this.libs().cornerstoneTools, this);
    this.segmentGuard.start();
    // Another primary tool (brush, eraser...) ends the interaction: its markers go away.
    const { cornerstone, cornerstoneTools } = this.libs();
    const onToolActivated = (e: Event) => {
      const toolName = (e as CustomEvent<{ toolName?: string }>).detail?.toolName;
      if (toolName && toolName !== TOOL_NAME) this.endSession();
    };
    this.listen(cornerstone.eventTarget, cornerstoneTools.Enums.Events.TOOL_ACTIVATED, onToolActivated);
    // "No image loaded" must clear once the shown image arrives; OHIF does not re-evaluate on loads.
    this.listen(cornerstone.eventTarget, cornerstone.Enums.Events.IMAGE_LOADED, () =>
      this.refreshToolbarSoon(),
    );
  }

  private listen(target: EventTarget, eventName: string | undefined, handler: (e: Event) => void): void {
    if (!eventName) return;
    target.addEventListener(eventName, handler);
    this.unsubscribes.push(() => target.removeEventListener(eventName, handler));
  }

  private refreshTimer?: ReturnType<typeof setTimeout>;
  private imageRechecks = 0;

  /**
   * Called while the active viewport has no loaded image. Some views get their image without any event
   * OHIF re-evaluates the toolbar on (an MPR view built from already cached images), so look again a
   * few times (for about 10 s) instead of waiting for the next unrelated refresh.
   */
  recheckImageSoon(loaded: boolean): void {
    if (loaded) {
      this.imageRechecks = 0;
      return;
    }
    if (this.imageRechecks >= 20) return;
    this.imageRechecks++;
    this.refreshToolbarSoon(500);
  }

  /** Coalesces bursts (a series loading image after image) into one toolbar refresh. */
  private refreshToolbarSoon(delayMs = 300): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshToolbar();
    }, delayMs);
  }

  /** The SAM2 mode starts: default context, no interaction, readiness checked now. */
  enterMode(): void {
    this.contextId = getContext(getConfig().defaultContext).id;
    this.session = undefined;
    this.ensurePolling();
    this.startSpeculation();
  }

  /** Starts the readiness polling once (skipped entirely when window.config.sam2.enabled is false). */
  ensurePolling(): void {
    if (this.poller || !getConfig().enabled) return;
    this.poller = new AvailabilityPoller(
      () => checkReadiness(getConfig().readyUrl),
      () => {
        this.refreshToolbar();
        this.speculator?.consider();
      },
    );
    this.poller.start();
  }

  onModeExit(): void {
    this.poller?.stop();
    this.poller = undefined;
    this.running?.abort.abort();
    this.stopSpeculation();
    this.session = undefined;
    this.unsubscribes.forEach((u) => u());
    this.unsubscribes = [];
    this.segmentGuard.stop();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  // ---- state read by the toolbar evaluators --------------------------------------------------------

  get availability(): Availability {
    return this.poller?.availability ?? { status: 'unknown' };
  }

  /** Speculative encodes of this page (sent, encoded, cancelled, failed); read by the browser tests. */
  get speculationStats() {
    return this.speculator?.stats;
  }

  get busy(): boolean {
    return !!this.running;
  }

  get currentSession(): PromptSession | undefined {
    return this.session;
  }

  viewportFacts(viewportId: string | undefined): ViewportFactsWithTool {
    return readViewportFacts(this.services, this.libs(), viewportId);
  }

  refreshToolbar(): void {
    const { toolbarService, viewportGridService } = this.services;
    toolbarService.refreshToolbarState({ viewportId: viewportGridService.getActiveViewportId() });
  }

  checkAvailabilityNow(): Promise<void> {
    return this.poller?.checkNow() ?? Promise.resolve();
  }

  // ---- user actions ---------------------------------------------------------------------------

  setContext(contextId: string): void {
    this.contextId = getContext(contextId).id;
    this.endSession();
    this.refreshToolbar();
    // Another context may send another window: another image for the encoder.
    this.speculator?.consider();
  }

  /** Makes Sam2PromptTool the primary tool of every tool group that has it (like any OHIF tool switch). */
  activatePromptTool(): void {
    const { toolGroupService } = this.services;
    const toolGroupIds = toolGroupService
      .getToolGroupIds()
      .filter((id) => toolGroupService.getToolGroup(id)?.hasTool(TOOL_NAME));
    if (!toolGroupIds.length) return;
    this.deps.commandsManager.runCommand('setToolActiveToolbar', {
      toolName: TOOL_NAME,
      toolGroupIds,
      bindings: promptToolBindings(this.libs().cornerstoneTools),
    });
  }

  /** The toolbar button: activate the click tool and segment the shown slice automatically. */
  oneClick(): Promise<RunOutcome> {
    this.activatePromptTool();
    return this.run({ kind: 'auto' }, this.services.viewportGridService.getActiveViewportId());
  }

  cancel(): void {
    this.running?.abort.abort();
  }

  startOver(): void {
    this.endSession();
  }

  /** From Sam2PromptTool: a click or a drag on a viewport. */
  onGesture(gesture: Gesture): void {
    const viewport = this.services.cornerstoneViewportService.getCornerstoneViewport(gesture.viewportId);
    if (!viewport) return;
    const result = gestureToPrompt(this.libs(), viewport, gesture);
    if ('input' in result) {
      void this.run(result.input, gesture.viewportId);
      return;
    }
    showInfo(this.services, 'SAM2', result.refused);
    if (!this.running) this.finish({ status: 'skipped', error: result.refused });
  }

  /** From Sam2PromptTool's renderAnnotation: prompts to draw, ending the interaction on a slice change. */
  markersFor(viewport: ViewportLike) {
    const s = this.session;
    if (!s || s.viewportId !== viewport.id) return undefined;
    if (viewport.getCurrentImageId() !== s.imageId) {
      this.session = undefined;
      return undefined;
    }
    return { points: s.points, box: s.box };
  }

  private endSession(): void {
    const viewportId = this.session?.viewportId;
    this.session = undefined;
    if (viewportId)
      this.libs().cornerstoneTools.utilities.triggerAnnotationRenderForViewportIds?.([viewportId]);
  }

  // ---- the run ----------------------------------------------------------------------------------

  private finish(outcome: RunOutcome): RunOutcome {
    this.lastOutcome = outcome;
    return outcome;
  }

  private env(): RunEnv {
    return {
      services: this.services,
      libs: this.libs(),
      commandsManager: this.deps.commandsManager,
      config: getConfig(),
    };
  }

  /**
   * One segmentation, step by step: read and check, ask, request, choose, write, report. Each step is in
   * run/; this keeps the state between them (busy, asking, the interaction, the overlay).
   */
  async run(input: PromptInput, viewportId: string): Promise<RunOutcome> {
    if (this.running || this.asking) return this.finish({ status: 'skipped', error: 'busy' });
    const env = this.env();
    const requestId = `sam2-${Date.now().toString(36)}-${(++requestCounter).toString(36)}`;
    const timer = new ClickTimer(requestId);
    const context = getContext(this.contextId);

    const shown = await timer.stepAsync('read-slice', 'readSliceMs', () =>
      readAndCheck(env, viewportId, {
        current: () => this.availability,
        checkNow: () => this.checkAvailabilityNow(),
      }),
    );
    if (!shown.ok) return this.finish(shown.outcome);
    const { viewport, slice } = shown.value;
    const box = derivedBox(env, viewport, slice, context, input);
    if (!box.ok) return this.finish(box.outcome);
    const muscles = derivedMuscleGroups(env, viewport, slice, context, input);
    if (!muscles.ok) return this.finish(muscles.outcome);

    const review = reviewPrompt(env, viewportId, slice, context, this.session, input);
    if (!review.ok) return this.finish(review.outcome);
    if (!review.value.session && this.session) this.endSession();
    const mode = await this.ask(env, viewportId, context, review.value, timer);
    if (!mode) return this.finish({ status: 'declined' });

    const prompts = promptsFor(box.value, review.value.session, input);
    const abort = new AbortController();
    this.running = { abort, viewportId };
    // The toolbar's re-render (tens of ms of React work) runs while the request travels, not before it.
    setTimeout(() => this.refreshToolbar(), 0);
    const overlay = showProcessingOverlay(viewport.element, {
      timeoutMs: env.config.timeoutMs,
      onCancel: () => abort.abort(),
    });
    const started = performance.now();
    try {
      const request = sliceRequestInput(slice, context, await this.limits.get());
      const client = {
        url: env.config.segmentUrl,
        timeoutMs: env.config.timeoutMs,
        signal: abort.signal,
        token: env.config.apiToken,
        requestId,
      };
      const union = muscles.value
        ? await requestMuscleUnion(muscles.value, request, slice, this.imageIds, client, timer)
        : undefined;
      const response =
        union?.response ?? (await requestMasks(request, toPrompts(prompts), this.imageIds, client, timer));
      return await this.applyResult(env, response, {
        union,
        viewportId,
        viewport,
        slice,
        context,
        review: review.value,
        mode,
        prompts,
        abort: abort.signal,
        timer,
        started,
      });
    } catch (e) {
      const followUp = failureFollowUp(e);
      if (followUp.recheckAvailability) void this.checkAvailabilityNow();
      if (followUp.forgetLimits) this.limits.forget();
      reportFailure(env, e, () => void this.run(input, viewportId));
      if (followUp.cancelled) return this.finish({ status: 'cancelled' });
      return this.finish({
        status: 'error',
        error: (e as Error).message,
        elapsedMs: performance.now() - started,
      });
    } finally {
      overlay.close();
      this.running = undefined;
      this.refreshToolbar();
      this.speculator?.consider();
    }
  }

  /** Steps 4–6 on the service's answer: choose the mask, write it, wait for the paint, report. */
  private async applyResult(env: RunEnv, response: SegmentResponse, r: RunState): Promise<RunOutcome> {
    const { viewportId, slice, timer } = r;
    const facts = {
      cached: response.cached || response.embedding_cached,
      embeddingCached: response.embedding_cached,
      sentImageId: !timer.timings.uploadedPixels,
    };
    const chosen = r.union
      ? r.union.chosen
      : timer.step('rle-decode', 'rleDecodeMs', () =>
          chooseResult(response, slice, viewportCentre(env.libs, r.viewport, slice.imageId, slice)),
        );
    if (!chosen) {
      if (r.union) reportNoMuscle(env);
      else reportEmpty(env, response.mode);
      return this.finish({ status: 'empty', elapsedMs: performance.now() - r.started, ...facts });
    }
    if (r.abort.aborted) return this.finish({ status: 'cancelled' });
    const tissue = restrictToTissue(env, chosen, slice, r.context, huRangeOf(r.context, env.config.huRanges));
    if (!tissue.ok) {
      return this.finish({ ...tissue.outcome, elapsedMs: performance.now() - r.started, ...facts });
    }

    const written = await timer.stepAsync('labelmap-write', 'labelmapWriteMs', () =>
      writeResult(env, { ...r, mask: tissue.value.mask, model: response.model }, this),
    );
    this.session = written.session;
    env.libs.cornerstoneTools.utilities.triggerAnnotationRenderForViewportIds?.([viewportId]);
    const { painted } = written;
    if (painted) await timer.stepAsync('render', 'renderMs', () => painted);

    const elapsedMs = performance.now() - r.started;
    reportSuccess(env, response, chosen.score, elapsedMs, r.context.segmentLabel, written.changed);
    return this.finish({
      status: written.changed ? 'written' : 'unchanged',
      voxels: written.changed,
      score: chosen.score,
      elapsedMs,
      ...facts,
      ...(r.union ? { groups: r.union.groups } : {}),
      timings: timer.finish(),
    });
  }

  /** The write mode for this run; asks Replace / Add / Cancel when needed (no other run meanwhile). */
  private async ask(
    env: RunEnv,
    viewportId: string,
    context: Sam2Context,
    review: PromptReview,
    timer: ClickTimer,
  ): Promise<WriteMode | undefined> {
    if (review.session || !review.mustAsk) return askWriteMode(env, viewportId, context, review);
    this.asking = true;
    const at = performance.now();
    try {
      return await askWriteMode(env, viewportId, context, review);
    } finally {
      timer.waited(performance.now() - at);
      this.asking = false;
    }
  }

  // ---- speculative encoding ---------------------------------------------------------------------

  /** The image part of a click on what `viewportId` (default: the active viewport) shows now. */
  private shownInput(viewportId?: string): EncodeSliceInput | undefined {
    const { viewportGridService, cornerstoneViewportService, displaySetService } = this.services;
    const active = viewportGridService.getActiveViewportId();
    if (viewportId && viewportId !== active) return undefined;
    const facts = this.viewportFacts(active);
    const modality = facts.modality?.toUpperCase();
    const viewport = cornerstoneViewportService.getCornerstoneViewport(active);
    if (!viewport || !facts.imageLoaded || !modality || !getConfig().modalities.includes(modality)) {
      return undefined;
    }
    try {
      const uid = viewportGridService.getDisplaySetsUIDsForViewport(active)?.[0];
      const slice = readSlice(
        this.libs(),
        viewport,
        uid ? displaySetService.getDisplaySetByUID(uid) : undefined,
      );
      return sliceRequestInput(slice, getContext(this.contextId), undefined);
    } catch {
      // Not loaded yet, a colour image...: nothing to encode; a click will say why.
      return undefined;
    }
  }

  /** Starts speculative encoding for the SAM2 mode (no-op when already running). */
  private startSpeculation(): void {
    if (this.speculator) return;
    const speculator = new Speculator({
      config: getConfig,
      idle: () => this.availability.status === 'ready' && !this.running && !this.asking,
      shownInput: (viewportId) => this.shownInput(viewportId),
      limits: () => this.limits.get(),
      cache: this.imageIds,
    });
    this.speculator = speculator;
    const doc = globalThis.document;
    if (doc) {
      this.stopWatching = watchShownSlices(doc, this.libs(), (viewportId) => {
        // Another viewport (a thumbnail, a hidden or synchronised view) changes nothing here.
        const active = this.services.viewportGridService.getActiveViewportId();
        if (!viewportId || viewportId === active) speculator.consider(active);
      });
    }
    speculator.consider();
  }

  private stopSpeculation(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.speculator?.stop();
    this.speculator = undefined;
  }
}
