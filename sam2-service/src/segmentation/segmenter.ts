import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config';
import { type CachedResult, ResultCache } from '../cache/resultCache';
import { type EmbeddingEntry, EmbeddingCache } from '../cache/embeddingCache';
import { SingleFlight } from '../cache/singleFlight';
import { ApiError, invalidField } from '../http/apiError';
import { decodePixels, isBase64 } from '../image/pixels';
import { displayInvert, toDisplayImage } from '../image/windowing';
import { bodyGridPoints } from '../inference/automaticMasks';
import type { ModelRuntime } from '../inference/modelRuntime';
import type { DecodeRequest, MaskResult } from '../inference/protocol';
import {
  PoolUnavailableError,
  QueueFullError,
  TaskAbortedError,
  TaskFailedError,
  type Reservation,
  type WorkerPool,
  WorkerCrashedError,
} from '../inference/workerPool';
import type { Priority } from '../scheduler/priority';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { toModelPrompts } from '../model/promptScaling';
import type { Prompts } from '../model/types';
import { type SegmentRequest, validatePromptsInImage } from './segmentRequest';

/** Bump when preprocessing changes, so cached embeddings of the old pipeline are not reused. */
const preprocessingVersion = 'p2';

export interface SegmentResponse {
  masks: MaskResult[];
  mode: 'prompt' | 'automatic';
  image_id: string;
  processing_time_ms: number;
  cached: boolean;
  embedding_cached: boolean;
  model: { name: string | null; family: string | null; version: string | null };
  /** Present in automatic mode: what the grid cost (decoder runs, ms in the worker). */
  timing?: { decoder_runs: number; decode_ms: number };
}

/** Answer of POST /api/segmentation/sam2/encode. */
export interface EncodeResponse {
  image_id: string;
  /** The slice was already encoded (or being encoded) when the request came. */
  cached: boolean;
  model: SegmentResponse['model'];
}

/** Per-request options from the HTTP layer. */
export interface RequestOptions {
  /** Aborts when the client has gone (closed the connection): its work is cancelled. */
  signal?: AbortSignal;
  /** From precheck(): released when the request queues its task (or fails). */
  reservation?: Reservation;
}

/** The client went away before the answer (logged as 499, never sent). */
export function clientGone(): ApiError {
  return new ApiError('CLIENT_CLOSED_REQUEST', 'the client closed the connection');
}

interface SliceImage {
  imageId: string;
  width: number;
  height: number;
  /** Present when the request carried pixels (needed only if the slice must be encoded). */
  gray?: Uint8Array;
  body: Uint8Array;
  cachedEntry?: EmbeddingEntry;
}

/** One segmentation request from JSON body to masks: caches, de-duplication, the worker pool, time limit. */
export class Segmenter {
  readonly embeddings: EmbeddingCache;
  readonly results: ResultCache;
  readonly counters = { embeddingHits: 0, embeddingMisses: 0, resultHits: 0, resultMisses: 0 };
  private readonly encodeFlight = new SingleFlight<EmbeddingEntry>();
  private readonly resultFlight = new SingleFlight<{
    result: CachedResult;
    embeddingCached: boolean;
    timing: { decoder_runs: number; decode_ms: number };
  }>();
  /** Queued encodes by image id, so a click can take over a speculative encode at its own priority. */
  private readonly encodeTickets = new Map<string, { promote(priority: Priority, budgetMs: number): void }>();

  constructor(
    private readonly config: Config,
    private readonly runtime: ModelRuntime,
    private readonly metrics: Metrics,
  ) {
    this.embeddings = new EmbeddingCache(config.embeddingCacheBytes, (entry) => {
      if (entry.speculative && !entry.speculative.used) metrics.speculativeEncodes.inc({ outcome: 'wasted' });
    });
    this.results = new ResultCache(config.resultCacheBytes, config.resultTtlMs);
  }

  /**
   * Refuses at once (429 with Retry-After) a request the scheduler could not admit even before its body
   * is read: `kind` is what the request will most likely need (an encode, or only a decode).
   */
  precheck(kind: 'decode' | 'encode' | 'speculative'): Reservation | undefined {
    const pool = this.runtime.pool;
    if (!pool || this.runtime.state !== 'ready') return undefined; // requirePool answers 503 after the body
    const decodeMs = pool.costs.decoderRunMs;
    const ownMs = kind === 'decode' ? decodeMs : pool.costs.encodeMs + (kind === 'encode' ? decodeMs : 0);
    const admission = pool.admission(kind, ownMs, this.config.requestTimeoutMs);
    if (!admission.admit) {
      this.metrics.admissionRefusals.inc({ priority: kind, stage: 'before_body' });
      throw queueFull(admission.retryAfterS);
    }
    return pool.reserve(kind, ownMs);
  }

  /**
   * Speculative encoding (issue 9 §2): encodes the slice at the lowest priority so a later click on it
   * needs only the decoder. Same validation and image_id as segment(); `prompts`, `multimask` and
   * `max_masks` are refused by the caller.
   */
  async encode(request: SegmentRequest, log: Logger, options: RequestOptions = {}): Promise<EncodeResponse> {
    const started = performance.now();
    const pool = this.runtime.requirePool();
    const model = this.runtime.identity;
    const slice = this.prepareSlice(request, model.version ?? '');
    const respond = (cached: boolean): EncodeResponse => ({
      image_id: slice.imageId,
      cached,
      model: { name: model.name, family: model.family, version: model.version },
    });
    this.metrics.speculativeEncodes.inc({ outcome: 'requested' });
    options.reservation?.release();
    if (slice.cachedEntry || this.embeddings.get(slice.imageId)) return respond(true);
    const inFlight = this.encodeTickets.has(slice.imageId);
    const controller = new AbortController();
    const onGone = () => controller.abort();
    options.signal?.addEventListener('abort', onGone, { once: true });
    const timer = setTimeout(onGone, this.config.requestTimeoutMs);
    try {
      if (options.signal?.aborted) throw clientGone();
      await this.embeddingFor(slice, pool, controller.signal, {
        priority: 'speculative',
        budgetMs: this.config.requestTimeoutMs - (performance.now() - started),
        followUpMs: 0,
        count: false,
        seq: options.reservation?.seq,
      });
      log.child({ image: slice.imageId.slice(0, 12) }).info({ shared: inFlight }, 'speculative encode done');
      return respond(inFlight);
    } catch (error) {
      if (options.signal?.aborted) {
        this.metrics.speculativeEncodes.inc({ outcome: 'cancelled' });
        throw clientGone();
      }
      if (error instanceof QueueFullError) {
        this.metrics.speculativeEncodes.inc({ outcome: 'cancelled' });
        this.metrics.admissionRefusals.inc({ priority: 'speculative', stage: error.stage });
      }
      throw toApiError(error, this.config.requestTimeoutMs);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onGone);
    }
  }

  async segment(
    request: SegmentRequest,
    log: Logger,
    options: RequestOptions = {},
  ): Promise<SegmentResponse> {
    const started = performance.now();
    const pool = this.runtime.requirePool();
    const model = this.runtime.identity;
    const slice = this.prepareSlice(request, model.version ?? '');
    validatePromptsInImage(request, slice.width, slice.height);
    const prompts: Prompts = { points: request.prompts?.points ?? [], box: request.prompts?.box };
    const mode: DecodeRequest['mode'] = prompts.points.length > 0 || prompts.box ? 'prompt' : 'automatic';
    const maxMasks = request.max_masks ?? this.config.automatic.maxMasks;
    const resultKey = sha256(
      JSON.stringify({
        image: slice.imageId,
        mode,
        prompts: mode === 'prompt' ? prompts : null,
        multimask: mode === 'prompt' ? request.multimask : null,
        automatic: mode === 'automatic' ? { ...this.config.automatic, maxMasks } : null,
        model: model.version,
      }),
    );
    const requestLog = log.child({ image: slice.imageId.slice(0, 12), mode });
    const respond = (
      result: CachedResult,
      cached: boolean,
      embeddingCached: boolean,
      timing?: SegmentResponse['timing'],
    ): SegmentResponse => ({
      masks: result.masks,
      mode,
      image_id: slice.imageId,
      processing_time_ms: Math.round((performance.now() - started) * 10) / 10,
      cached,
      embedding_cached: embeddingCached,
      model: { name: model.name, family: model.family, version: model.version },
      ...(mode === 'automatic' && timing ? { timing } : {}),
    });

    const hit = this.results.get(resultKey);
    this.countResult(!!hit);
    if (hit) {
      requestLog.info({ cached: true }, 'segmentation served from the result cache');
      return respond(hit, true, true);
    }

    let timer: NodeJS.Timeout | undefined;
    let onGone: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      const remainingMs = this.config.requestTimeoutMs - (performance.now() - started);
      timer = setTimeout(() => reject(timeoutError(this.config.requestTimeoutMs)), remainingMs);
      onGone = () => reject(clientGone());
      if (options.signal?.aborted) onGone();
      else options.signal?.addEventListener('abort', onGone, { once: true });
    });
    const budgetMs = () => this.config.requestTimeoutMs - (performance.now() - started);
    options.reservation?.release(); // its own task is about to be queued (or shared, or cached)
    const flight = this.resultFlight.join(resultKey, async (signal) => {
      const decodeRuns = mode === 'prompt' ? 1 : Math.ceil(this.gridSize() / this.config.automatic.batchSize);
      const { entry, fromCache } = await this.embeddingFor(slice, pool, signal, {
        priority: 'encode',
        budgetMs: budgetMs(),
        followUpMs: pool.costs.decoderRunMs * decodeRuns,
        count: true,
        seq: options.reservation?.seq,
      });
      const decodeRequest = this.decodeRequest(mode, slice, entry, prompts, request.multimask, maxMasks);
      const decoded = await pool.submit(
        {
          kind: 'decode',
          key: slice.imageId,
          embeddings: entry.embeddings,
          width: slice.width,
          height: slice.height,
          request: decodeRequest,
        },
        { signal, priority: 'decode', budgetMs: budgetMs(), seq: options.reservation?.seq },
      ).promise;
      this.metrics.decodeSeconds.observe({ mode }, decoded.decodeMs / 1000);
      const result = { masks: decoded.masks };
      this.results.set(resultKey, result);
      this.updateCacheGauges();
      const timing = { decoder_runs: decoded.decoderRuns, decode_ms: Math.round(decoded.decodeMs * 10) / 10 };
      return { result, embeddingCached: fromCache, timing };
    });
    try {
      const { result, embeddingCached, timing } = await Promise.race([flight.promise, deadline]);
      const response = respond(result, false, embeddingCached, timing);
      requestLog.info(
        {
          masks: result.masks.length,
          embeddingCached,
          shared: flight.shared,
          ms: response.processing_time_ms,
        },
        'segmentation done',
      );
      return response;
    } catch (error) {
      if (error instanceof QueueFullError) {
        this.metrics.admissionRefusals.inc({ priority: 'encode', stage: error.stage });
      }
      throw toApiError(error, this.config.requestTimeoutMs);
    } finally {
      clearTimeout(timer);
      if (onGone) options.signal?.removeEventListener('abort', onGone);
      flight.leave();
    }
  }

  /** Most grid points automatic mode can use (the grid is thinned to the body). */
  private gridSize(): number {
    return this.config.automatic.gridPerSide ** 2;
  }

  /** Prompt mode: the prompts in model coordinates. Automatic mode: a grid of points over the body. */
  private decodeRequest(
    mode: DecodeRequest['mode'],
    slice: SliceImage,
    entry: EmbeddingEntry,
    prompts: Prompts,
    multimask: boolean,
    maxMasks: number,
  ): DecodeRequest {
    if (mode === 'prompt') {
      return { mode, prompts: toModelPrompts(prompts, slice.width, slice.height), multimask };
    }
    const { gridPerSide } = this.config.automatic;
    const grid = bodyGridPoints(entry.body, slice.width, slice.height, gridPerSide);
    return {
      mode: 'automatic',
      points: toModelPrompts({ points: grid }, slice.width, slice.height).points,
      options: {
        maxMasks,
        minPredictedIou: this.config.automatic.minPredictedIou,
        minStability: this.config.automatic.minStability,
        nmsIou: this.config.automatic.nmsIou,
      },
      batchSize: this.config.automatic.batchSize,
    };
  }

  /** Decodes and windows the pixels (or finds the cached image by id) and derives the image id. */
  private prepareSlice(request: SegmentRequest, modelVersion: string): SliceImage {
    if (request.image_data === undefined) {
      const entry = this.embeddings.get(request.image_id!);
      if (!entry) {
        throw new ApiError(
          'IMAGE_NOT_FOUND',
          'image_id is not (or no longer) cached by this service; send image_data instead',
          { field: 'image_id' },
        );
      }
      return {
        imageId: request.image_id!,
        width: entry.width,
        height: entry.height,
        body: entry.body,
        cachedEntry: entry,
      };
    }
    if (!isBase64(request.image_data)) throw invalidField('image_data', 'is not valid base64');
    const width = request.width!;
    const height = request.height!;
    const pixels = decodePixels(request.image_data, request.image_type!, width, height);
    const display = toDisplayImage(pixels, {
      rescale: request.rescale,
      window: request.window,
      invert: displayInvert(request.invert, request.photometric),
      alreadyWindowed: request.image_type === 'uint8',
    });
    // The key covers exactly what the encoder sees (grey levels + size) and which model sees it, so
    // another window, VOI LUT function or inversion of the same pixels is another image.
    const imageId = createHash('sha256')
      .update(`${modelVersion}:${preprocessingVersion}:${width}x${height}:`)
      .update(display.gray)
      .digest('hex');
    return { imageId, width, height, gray: display.gray, body: display.body };
  }

  /**
   * The slice's embedding: from the cache, from an encode already under way (raised to this request's
   * priority, so a click takes over a speculative encode), or from a new encode at `priority`.
   */
  private async embeddingFor(
    slice: SliceImage,
    pool: WorkerPool,
    signal: AbortSignal,
    schedule: {
      priority: 'encode' | 'speculative';
      budgetMs: number;
      followUpMs: number;
      count: boolean;
      /** Arrival order from the request's reservation: its place among its class. */
      seq?: number;
    },
  ): Promise<{ entry: EmbeddingEntry; fromCache: boolean }> {
    const cached = slice.cachedEntry ?? this.embeddings.get(slice.imageId);
    if (schedule.count) this.countEmbedding(!!cached);
    if (cached) {
      if (schedule.count && cached.speculative && !cached.speculative.used) {
        cached.speculative.used = true;
        this.metrics.speculativeEncodes.inc({ outcome: 'used' });
      }
      return { entry: cached, fromCache: true };
    }
    // Different prompts on a slice not yet encoded share one encoder run.
    const flight = this.encodeFlight.join(slice.imageId, async (encodeSignal) => {
      const ticket = pool.submit(
        { kind: 'encode', key: slice.imageId, gray: slice.gray!, width: slice.width, height: slice.height },
        {
          signal: encodeSignal,
          priority: schedule.priority,
          budgetMs: schedule.budgetMs,
          followUpMs: schedule.followUpMs,
          seq: schedule.seq,
        },
      );
      this.encodeTickets.set(slice.imageId, ticket);
      let encoded;
      try {
        encoded = await ticket.promise;
      } finally {
        this.encodeTickets.delete(slice.imageId);
      }
      this.metrics.encodeSeconds.observe(encoded.encodeMs / 1000);
      const entry: EmbeddingEntry = {
        embeddings: encoded.embeddings,
        width: slice.width,
        height: slice.height,
        body: slice.body,
        ...(schedule.priority === 'speculative' ? { speculative: { used: false } } : {}),
      };
      this.embeddings.set(slice.imageId, entry);
      this.updateCacheGauges();
      return entry;
    });
    if (flight.shared && schedule.priority === 'encode') {
      this.encodeTickets.get(slice.imageId)?.promote('encode', schedule.budgetMs);
    }
    signal.addEventListener('abort', flight.leave, { once: true });
    try {
      const entry = await flight.promise;
      // A click that joined a speculative encode used it.
      if (schedule.count && entry.speculative && !entry.speculative.used) {
        entry.speculative.used = true;
        this.metrics.speculativeEncodes.inc({ outcome: 'used' });
      }
      return { entry, fromCache: false };
    } finally {
      signal.removeEventListener('abort', flight.leave);
      flight.leave();
    }
  }

  private countEmbedding(hit: boolean): void {
    if (hit) this.counters.embeddingHits++;
    else this.counters.embeddingMisses++;
    (hit ? this.metrics.cacheHits : this.metrics.cacheMisses).inc({ cache: 'embedding' });
  }

  private countResult(hit: boolean): void {
    if (hit) this.counters.resultHits++;
    else this.counters.resultMisses++;
    (hit ? this.metrics.cacheHits : this.metrics.cacheMisses).inc({ cache: 'result' });
  }

  private updateCacheGauges(): void {
    this.metrics.cacheBytes.set({ cache: 'embedding' }, this.embeddings.bytes);
    this.metrics.cacheBytes.set({ cache: 'result' }, this.results.bytes);
    this.metrics.cacheEntries.set({ cache: 'embedding' }, this.embeddings.size);
    this.metrics.cacheEntries.set({ cache: 'result' }, this.results.size);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function timeoutError(timeoutMs: number): ApiError {
  return new ApiError('TIMEOUT', `segmentation took longer than ${timeoutMs} ms`, { timeout_ms: timeoutMs });
}

/** 429: the work ahead does not leave time for this request; retry after `retryAfterS`. */
export function queueFull(retryAfterS: number): ApiError {
  return new ApiError(
    'QUEUE_FULL',
    'the service is busy; retry later',
    { retry_after_s: retryAfterS },
    retryAfterS,
  );
}

/** Maps pool failures to the API's error codes. */
function toApiError(error: unknown, timeoutMs: number): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof QueueFullError) return queueFull(error.retryAfterS);
  if (error instanceof TaskAbortedError) return timeoutError(timeoutMs);
  if (error instanceof PoolUnavailableError) {
    // The pool gave up while this request waited: answer now, not with a 504 at the time limit.
    return new ApiError(
      'MODEL_UNAVAILABLE',
      `the SAM2 model is not available (${error.failure.code})`,
      { state: 'unavailable', reason: error.failure.code },
      10,
    );
  }
  if (error instanceof WorkerCrashedError) {
    return new ApiError(
      'WORKER_CRASHED',
      'the inference worker stopped while handling this request; retry',
      {},
      1,
    );
  }
  if (error instanceof TaskFailedError) {
    return new ApiError('INTERNAL', 'inference failed', { reason: error.message });
  }
  return error;
}
