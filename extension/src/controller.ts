/**
 * The SAM2 interaction, end to end: from a button press or a prompt on the viewport to a mask in the
 * labelmap. Owns the small amount of state the feature needs (selected context, the running request,
 * the current prompt interaction, service availability) and wires the layers together; each step's
 * logic lives in api/, imaging/, labelmap/, ui/ and availability/.
 */
import { Sam2Error } from './api/errors';
import { fetchServiceLimits, ServiceLimitsCache } from './api/limits';
import { checkReadiness } from './api/readiness';
import { ImageIdCache } from './api/request';
import { segmentSlice } from './api/segmentSlice';
import { AvailabilityPoller } from './availability/poller';
import type { Availability } from './availability/poller';
import type { ViewportFactsWithTool } from './availability/viewportFacts';
import { readViewportFacts } from './availability/viewportFacts';
import { getConfig } from './config';
import { getContext, huRangeOf, windowForRequest } from './contexts';
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
import { viewportCentre, viewportPlaneOf } from './imaging/coords';
import { vertebraPrompt } from './anatomy/vertebraPrompt';
import { UnsupportedImageError } from './imaging/pixels';
import { modalityValues } from './imaging/hu';
import { NoImageError, readSlice } from './imaging/slice';
import type { SliceInfo } from './imaging/slice';
import type { WriteMode } from './labelmap/decision';
import { computeSliceValues, decideWrite, modeForAnswer, sliceHasSegment } from './labelmap/decision';
import { markSam2Provenance } from './labelmap/provenance';
import { chooseMask } from './labelmap/maskChoice';
import { SegmentGuard } from './labelmap/segmentGuard';
import { decodeRle, maskArea } from './labelmap/rle';
import { labelmapImageIdFor, readLabelmapSlice, voxelManagerOf } from './labelmap/slice';
import { assertWritable, ensureTarget, findTarget, LockedSegmentError } from './labelmap/target';
import { writeLabelmapSlice } from './labelmap/write';
import type { Gesture, PromptToolHandlers } from './tools/Sam2PromptTool';
import { promptToolBindings, registerPromptTool } from './tools/Sam2PromptTool';
import { gestureToPrompt } from './tools/gesturePrompt';
import type { PromptInput, PromptSession, PromptSet } from './tools/promptSession';
import { continuesSession, nextPrompts, toPrompts } from './tools/promptSession';
import { askReplaceOrAdd } from './ui/confirmDialog';
import { describeError, describeSuccess } from './ui/messages';
import { showError, showInfo, showSuccess } from './ui/notifications';
import { showProcessingOverlay } from './ui/overlay';
import { BodyComposition } from './panels/bodyComposition';
import { restrictMaskToHuRange } from './tissue/restrict';

export interface ControllerDeps {
  servicesManager: ServicesManagerLike;
  commandsManager: CommandsManagerLike;
  extensionManager: ExtensionManagerLike;
}

/** Outcome of one run, for logs and tests driving the viewer. */
export interface RunOutcome {
  status: 'written' | 'unchanged' | 'cancelled' | 'declined' | 'empty' | 'error' | 'skipped';
  voxels?: number;
  score?: number;
  elapsedMs?: number;
  cached?: boolean;
  error?: string;
}

let requestCounter = 0;

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
  }

  /** Starts the readiness polling once (skipped entirely when window.config.sam2.enabled is false). */
  ensurePolling(): void {
    if (this.poller || !getConfig().enabled) return;
    this.poller = new AvailabilityPoller(
      () => checkReadiness(getConfig().readyUrl),
      () => this.refreshToolbar(),
    );
    this.poller.start();
  }

  onModeExit(): void {
    this.poller?.stop();
    this.poller = undefined;
    this.running?.abort.abort();
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

  /** One segmentation: checks, confirm, request, mask choice, labelmap write, feedback. */
  async run(input: PromptInput, viewportId: string): Promise<RunOutcome> {
    if (this.running || this.asking) return this.finish({ status: 'skipped', error: 'busy' });
    const config = getConfig();
    if (!config.enabled) return this.finish({ status: 'skipped', error: 'disabled' });
    const services = this.services;
    const libs = this.libs();
    const context = getContext(this.contextId);

    const facts = this.viewportFacts(viewportId);
    const viewport = services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
    if (!viewport || !facts.imageLoaded) {
      showInfo(services, 'SAM2', 'No image loaded');
      return this.finish({ status: 'skipped', error: 'no image' });
    }
    const modality = facts.modality?.toUpperCase();
    if (!modality || !config.modalities.includes(modality)) {
      showInfo(services, 'SAM2', `Modality ${modality ?? 'unknown'} not supported`);
      return this.finish({ status: 'skipped', error: 'modality' });
    }
    if (this.availability.status === 'down') {
      // The poller may not have seen the service come back yet (e.g. Retry right after a restart): ask now.
      await this.checkAvailabilityNow();
      if (this.availability.status === 'down') {
        showInfo(services, 'SAM2 service unavailable', 'The button re-enables when the service is ready.');
        return this.finish({ status: 'skipped', error: 'unavailable' });
      }
    }

    let slice: SliceInfo;
    try {
      const uid = services.viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
      slice = readSlice(libs, viewport, uid ? services.displaySetService.getDisplaySetByUID(uid) : undefined);
    } catch (e) {
      showInfo(
        services,
        'SAM2',
        e instanceof NoImageError ? e.message : `Cannot read this slice: ${(e as Error).message}`,
      );
      return this.finish({ status: 'skipped', error: (e as Error).message });
    }
    const n = slice.width * slice.height;

    // One-Click in the vertebra context aims at the vertebra: a box found from the CT itself.
    let derivedBox: PromptSet['box'];
    if (input.kind === 'auto' && context.id === 'l3-vertebra') {
      const found = vertebraPrompt(
        modalityValues(slice.image, slice.scaling),
        viewportPlaneOf(libs, viewport, slice.imageId, slice),
      );
      if ('refused' in found) {
        showInfo(services, 'SAM2: no vertebra found', found.refused);
        return this.finish({ status: 'empty', error: found.refused });
      }
      derivedBox = found;
    }

    // Is this prompt a refinement of the interaction on screen? Only if nothing changed the slice since.
    const existing = findTarget(services, viewportId, context);
    let before: Uint16Array | undefined;
    if (existing) {
      const id = labelmapImageIdFor(libs, existing.segmentation, slice.imageId);
      try {
        if (id) before = readLabelmapSlice(voxelManagerOf(libs, id), n);
      } catch {
        // Labelmap slice not in the cache: treated as unknown (the write below reports the problem).
        before = undefined;
      }
    }
    const key = {
      viewportId,
      imageId: slice.imageId,
      segmentationId: existing?.segmentation.segmentationId,
      segmentIndex: existing?.segmentIndex,
      contextId: context.id,
    };
    const continuing = continuesSession(this.session, key, before);
    const session = continuing ? this.session : undefined;
    if (!continuing && this.session) this.endSession();

    if (input.kind === 'point' && input.negative && !session) {
      showInfo(
        services,
        'SAM2',
        'Shift+click removes an area from a SAM2 result. Click on the structure (or press One-Click Segmentation) first.',
      );
      return this.finish({ status: 'skipped', error: 'negative without result' });
    }

    // Hand-drawn (or older) voxels of the segment on this slice: ask before touching them.
    let mode: WriteMode = session?.mode ?? 'write';
    if (!session) {
      const hasExisting = !!before && !!existing && sliceHasSegment(before, existing.segmentIndex);
      if (decideWrite({ hasExistingVoxels: hasExisting, isRefinement: false }) === 'ask') {
        this.asking = true;
        let answer;
        try {
          answer = await askReplaceOrAdd(services, viewportId, context.segmentLabel);
        } finally {
          this.asking = false;
        }
        const chosen = modeForAnswer(answer);
        if (!chosen) return this.finish({ status: 'declined' });
        mode = chosen;
      }
    }

    const prompts: PromptSet = derivedBox ? { points: [], box: derivedBox } : nextPrompts(session, input);
    const window = windowForRequest(context, slice.viewedWindow);
    const abort = new AbortController();
    this.running = { abort, viewportId };
    this.refreshToolbar();
    const overlay = showProcessingOverlay(viewport.element, {
      timeoutMs: config.timeoutMs,
      onCancel: () => abort.abort(),
    });
    const started = performance.now();
    const requestId = `sam2-${Date.now().toString(36)}-${(++requestCounter).toString(36)}`;

    try {
      const response = await segmentSlice(
        {
          limits: await this.limits.get(),
          sliceImageId: slice.imageId,
          image: slice.image,
          rescaleFallback: slice.rescaleFallback,
          window,
          photometric: slice.photometric,
          invert: slice.invert,
          identity: slice.identity,
          prompts: toPrompts(prompts),
        },
        this.imageIds,
        {
          url: config.segmentUrl,
          timeoutMs: config.timeoutMs,
          signal: abort.signal,
          token: config.apiToken,
          requestId,
        },
      );

      const choice = chooseMask(
        response,
        response.mode === 'automatic' ? viewportCentre(libs, viewport, slice.imageId, slice) : undefined,
      );
      if (!choice) {
        showInfo(
          services,
          'SAM2 found nothing',
          response.mode === 'automatic'
            ? 'No structure found automatically. Click on the structure, or drag a box around it.'
            : 'The prompt gave an empty mask. Try another point or a box.',
        );
        return this.finish({ status: 'empty', elapsedMs: performance.now() - started });
      }
      const [rleHeight, rleWidth] = choice.mask.rle.size;
      if (rleHeight !== slice.height || rleWidth !== slice.width) {
        throw new Error(`Mask is ${rleWidth}×${rleHeight}, the slice ${slice.width}×${slice.height}`);
      }
      const huRange = huRangeOf(context, config.huRanges);
      const decoded = decodeRle(choice.mask.rle);
      // A tissue context keeps only its tissue (e.g. muscle without the fat between its fibres).
      const mask = huRange
        ? restrictMaskToHuRange(decoded, modalityValues(slice.image, slice.scaling), huRange)
        : decoded;
      if (abort.signal.aborted) return this.finish({ status: 'cancelled' });
      if (huRange && maskArea(mask) === 0) {
        showInfo(
          services,
          'SAM2 found nothing',
          `No voxel of the result lies in the ${context.label} range (${huRange.min} to ${huRange.max} HU). Nothing was written.`,
        );
        return this.finish({ status: 'empty', elapsedMs: performance.now() - started });
      }

      const target = await ensureTarget(services, this.deps.commandsManager, libs, viewportId, context);
      assertWritable(target);
      const segmentationId = target.segmentation.segmentationId;
      if (target.created) {
        this.segmentGuard.protect({
          segmentationId,
          segmentIndex: target.segmentIndex,
          label: context.segmentLabel,
          color: context.color,
          replacedLabel: target.created.replacedLabel,
        });
      }
      const labelmapImageId = labelmapImageIdFor(libs, target.segmentation, slice.imageId);
      if (!labelmapImageId) throw new Error('No labelmap slice for this image');
      const vm = voxelManagerOf(libs, labelmapImageId);
      const now = readLabelmapSlice(vm, n);
      // A refinement rebuilds from the slice as it was before the interaction, so it replaces the
      // earlier SAM2 result instead of adding to it.
      const stillOurs = session && continuesSession(session, key, now);
      const baseline = stillOurs ? session.baseline : now;
      const targetValues = computeSliceValues(baseline, mask, target.segmentIndex, mode);
      const changed = writeLabelmapSlice(libs, segmentationId, vm, now, targetValues);
      services.segmentationService.setActiveSegment(segmentationId, target.segmentIndex);
      if (changed) {
        this.bodyComposition.noteModel(segmentationId, target.segmentIndex, response.model);
        markSam2Provenance(
          libs,
          services.segmentationService,
          segmentationId,
          target.segmentIndex,
          response.model,
        );
      }

      this.session = {
        viewportId,
        imageId: slice.imageId,
        segmentationId,
        segmentIndex: target.segmentIndex,
        contextId: context.id,
        points: prompts.points,
        box: prompts.box,
        mode,
        baseline,
        lastWritten: targetValues,
      };
      libs.cornerstoneTools.utilities.triggerAnnotationRenderForViewportIds?.([viewportId]);

      const elapsedMs = performance.now() - started;
      showSuccess(
        services,
        describeSuccess(response, choice.mask.score, elapsedMs, context.segmentLabel, changed),
      );
      return this.finish({
        status: changed ? 'written' : 'unchanged',
        voxels: changed,
        score: choice.mask.score,
        elapsedMs,
        cached: response.cached || response.embedding_cached,
      });
    } catch (e) {
      if (e instanceof Sam2Error && e.kind === 'aborted') {
        showInfo(services, 'SAM2 cancelled', 'Nothing was written.');
        return this.finish({ status: 'cancelled' });
      }
      if (e instanceof Sam2Error && (e.kind === 'network' || e.kind === 'unavailable')) {
        void this.checkAvailabilityNow();
      }
      if (e instanceof Sam2Error && e.status !== undefined && (e.status === 413 || e.status === 400)) {
        this.limits.forget();
      }
      const description =
        e instanceof LockedSegmentError || e instanceof UnsupportedImageError
          ? { title: 'SAM2', message: e.message, retryable: false }
          : describeError(e, { timeoutMs: config.timeoutMs });
      showError(services, description, () => void this.run(input, viewportId));
      console.warn('[SAM2]', e);
      return this.finish({
        status: 'error',
        error: (e as Error).message,
        elapsedMs: performance.now() - started,
      });
    } finally {
      overlay.close();
      this.running = undefined;
      this.refreshToolbar();
    }
  }
}
