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
  WorkerCrashedError,
} from '../inference/workerPool';
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
  private readonly resultFlight = new SingleFlight<{ result: CachedResult; embeddingCached: boolean }>();

  constructor(
    private readonly config: Config,
    private readonly runtime: ModelRuntime,
    private readonly metrics: Metrics,
  ) {
    this.embeddings = new EmbeddingCache(config.embeddingCacheBytes);
    this.results = new ResultCache(config.resultCacheBytes, config.resultTtlMs);
  }

  async segment(request: SegmentRequest, log: Logger): Promise<SegmentResponse> {
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
    const respond = (result: CachedResult, cached: boolean, embeddingCached: boolean): SegmentResponse => ({
      masks: result.masks,
      mode,
      image_id: slice.imageId,
      processing_time_ms: Math.round((performance.now() - started) * 10) / 10,
      cached,
      embedding_cached: embeddingCached,
      model: { name: model.name, family: model.family, version: model.version },
    });

    const hit = this.results.get(resultKey);
    this.countResult(!!hit);
    if (hit) {
      requestLog.info({ cached: true }, 'segmentation served from the result cache');
      return respond(hit, true, true);
    }

    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(timeoutError(this.config.requestTimeoutMs)),
        this.config.requestTimeoutMs,
      );
    });
    const flight = this.resultFlight.join(resultKey, async (signal) => {
      const { entry, fromCache } = await this.embeddingFor(slice, pool, signal);
      const decodeRequest = this.decodeRequest(mode, slice, entry, prompts, request.multimask, maxMasks);
      const decoded = await pool.run(
        {
          kind: 'decode',
          key: slice.imageId,
          embeddings: entry.embeddings,
          width: slice.width,
          height: slice.height,
          request: decodeRequest,
        },
        [],
        signal,
      );
      this.metrics.decodeSeconds.observe({ mode }, decoded.decodeMs / 1000);
      const result = { masks: decoded.masks };
      this.results.set(resultKey, result);
      this.updateCacheGauges();
      return { result, embeddingCached: fromCache };
    });
    try {
      const { result, embeddingCached } = await Promise.race([flight.promise, deadline]);
      const response = respond(result, false, embeddingCached);
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
      throw toApiError(error, this.config.requestTimeoutMs);
    } finally {
      clearTimeout(timer);
      flight.leave();
    }
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
      options: { ...this.config.automatic, maxMasks },
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

  private async embeddingFor(
    slice: SliceImage,
    pool: ReturnType<ModelRuntime['requirePool']>,
    signal: AbortSignal,
  ): Promise<{ entry: EmbeddingEntry; fromCache: boolean }> {
    const cached = slice.cachedEntry ?? this.embeddings.get(slice.imageId);
    this.countEmbedding(!!cached);
    if (cached) return { entry: cached, fromCache: true };
    // Different prompts on a slice not yet encoded share one encoder run.
    const flight = this.encodeFlight.join(slice.imageId, async (encodeSignal) => {
      const gray = slice.gray!;
      const encoded = await pool.run(
        { kind: 'encode', key: slice.imageId, gray, width: slice.width, height: slice.height },
        [],
        encodeSignal,
      );
      this.metrics.encodeSeconds.observe(encoded.encodeMs / 1000);
      const entry: EmbeddingEntry = {
        embeddings: encoded.embeddings,
        width: slice.width,
        height: slice.height,
        body: slice.body,
      };
      this.embeddings.set(slice.imageId, entry);
      this.updateCacheGauges();
      return entry;
    });
    signal.addEventListener('abort', flight.leave, { once: true });
    try {
      return { entry: await flight.promise, fromCache: false };
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

/** Maps pool failures to the API's error codes. */
function toApiError(error: unknown, timeoutMs: number): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof QueueFullError) {
    return new ApiError(
      'QUEUE_FULL',
      'the service is busy; retry later',
      { retry_after_s: error.retryAfterS },
      error.retryAfterS,
    );
  }
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
