import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Config } from '../config';
import type { ModelRuntime } from '../inference/modelRuntime';
import type { Metrics } from '../metrics';
import { pixelTypes } from '../image/pixels';
import { parseEncodeRequest, parseSegmentRequest } from '../segmentation/segmentRequest';
import type { Segmenter } from '../segmentation/segmenter';
import type { TaskCosts } from '../scheduler/taskCosts';
import { ApiError } from './apiError';
import { jsonBody } from './jsonBody';
import { segmentBodyShape } from './jsonShape';
import { type State, requireToken } from './middleware';

export const apiVersion = '1.0';
const serviceVersion: string = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'),
).version;
const openApiPath = path.join(__dirname, '..', '..', '..', 'openapi.json');

export interface RouteDeps {
  config: Config;
  runtime: ModelRuntime;
  segmenter: Segmenter;
  metrics: Metrics;
  startedAt: number;
}

export function createRouter(deps: RouteDeps): Router<State> {
  const { config, runtime, segmenter, metrics } = deps;
  const router = new Router<State>();

  const body = jsonBody({ limitBytes: config.maxBodyBytes, ...segmentBodyShape });

  router.post(
    '/api/segmentation/sam2',
    requireToken(config.apiToken),
    reserve(segmenter, (ctx) => (carriesPixels(ctx) ? 'encode' : 'decode')),
    body,
    async (ctx) => {
      const end = metrics.requestSeconds.startTimer();
      let outcome = 'error';
      try {
        const request = parseSegmentRequest(ctx.state.body, config.maxImageSide);
        const response = await segmenter.segment(request, ctx.state.log, {
          signal: clientSignal(ctx),
          reservation: ctx.state.reservation,
        });
        outcome = response.cached
          ? 'result_cached'
          : response.embedding_cached
            ? 'embedding_cached'
            : 'uncached';
        ctx.body = response;
      } finally {
        end({ outcome });
      }
    },
  );

  router.post(
    '/api/segmentation/sam2/encode',
    requireToken(config.apiToken),
    async (_ctx, next) => {
      if (!config.speculativeEncoding) {
        throw new ApiError(
          'SPECULATION_DISABLED',
          'speculative encoding is switched off (SAM2_SPECULATIVE_ENCODING)',
        );
      }
      await next();
    },
    reserve(segmenter, () => 'speculative'),
    body,
    async (ctx) => {
      const request = parseEncodeRequest(ctx.state.body, config.maxImageSide);
      ctx.body = await segmenter.encode(request, ctx.state.log, {
        signal: clientSignal(ctx),
        reservation: ctx.state.reservation,
      });
    },
  );

  // Liveness: answered by the main thread, which never runs inference, so it stays fast under load.
  // Fails (503) only once the inference pool has given up (no worker left, none can start), so an
  // orchestrator restarts the container; a missing or disabled model keeps the service alive, degraded.
  router.get('/healthz', (ctx) => {
    if (runtime.live) {
      ctx.body = { status: 'alive' };
      return;
    }
    ctx.status = 503;
    ctx.body = { status: 'failed', reason: runtime.reason };
  });

  // Ready = at least one worker has the verified model loaded. `reason` is a generic code (docs/api.md);
  // paths and ONNX Runtime's messages are in the log only.
  // Also under /api/segmentation/, so a reverse proxy that forwards only that prefix (the viewer server,
  // nginx) exposes the readiness the viewer polls, without path rewriting.
  router.get(['/readyz', '/api/segmentation/readyz'], (ctx) => {
    const ready = runtime.state === 'ready';
    ctx.status = ready ? 200 : 503;
    const download = runtime.downloadProgress;
    ctx.body = {
      ready,
      state: runtime.state,
      ...(ready ? {} : { reason: runtime.reason }),
      ...(download ? { download } : {}),
    };
  });

  router.get(['/health', '/api/segmentation/health'], (ctx) => {
    const pool = runtime.pool?.stats();
    const c = segmenter.counters;
    ctx.body = {
      status: runtime.state === 'ready' ? 'ok' : 'degraded',
      enabled: config.enabled,
      state: runtime.state,
      ...(runtime.reason ? { reason: runtime.reason } : {}),
      ...(runtime.downloadProgress ? { download: runtime.downloadProgress } : {}),
      model: runtime.files ? runtime.identity : null,
      device: runtime.device,
      ...(runtime.deviceWarning ? { device_warning: runtime.deviceWarning } : {}),
      workers: {
        size: pool?.size ?? 0,
        ready: pool?.ready ?? 0,
        busy: pool?.busy ?? 0,
        restarts: pool?.restarts ?? 0,
        threads_per_worker: config.threadsPerWorker,
      },
      queue: {
        depth: pool?.queueDepth ?? 0,
        max: config.maxQueue,
        ...(runtime.pool ? { estimates: costEstimates(runtime.pool.costs) } : {}),
      },
      cache: {
        embeddings: {
          entries: segmenter.embeddings.size,
          bytes: segmenter.embeddings.bytes,
          max_bytes: segmenter.embeddings.maxBytes,
          hits: c.embeddingHits,
          misses: c.embeddingMisses,
        },
        results: {
          entries: segmenter.results.size,
          bytes: segmenter.results.bytes,
          max_bytes: segmenter.results.maxBytes,
          ttl_s: config.resultTtlMs / 1000,
          hits: c.resultHits,
          misses: c.resultMisses,
        },
      },
      uptime_s: Math.round((Date.now() - deps.startedAt) / 1000),
      version: serviceVersion,
    };
  });

  router.get(['/info', '/api/segmentation/info'], (ctx) => {
    ctx.body = {
      service: 'sam2-service',
      version: serviceVersion,
      api_version: apiVersion,
      enabled: config.enabled,
      state: runtime.state,
      model: runtime.files ? runtime.identity : null,
      device: runtime.device,
      capabilities: {
        image_types: pixelTypes,
        photometric: ['MONOCHROME1', 'MONOCHROME2'],
        prompts: { points: true, negative_points: true, box: true, max_points: 64, max_boxes: 1 },
        automatic: { grid_per_side: config.automatic.gridPerSide, max_masks: config.automatic.maxMasks },
        multimask: true,
        image_id_reuse: true,
        speculative_encoding: config.speculativeEncoding,
        max_image_side: config.maxImageSide,
        max_body_bytes: config.maxBodyBytes,
        request_timeout_ms: config.requestTimeoutMs,
        auth: config.apiToken ? 'bearer' : 'none',
      },
    };
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });

  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = readFileSync(openApiPath, 'utf8');
  });

  return router;
}

/** The scheduler's current cost estimates, ms to 0.1 (see src/scheduler/taskCosts.ts). */
function costEstimates(costs: TaskCosts) {
  const ms = (v: number) => Math.round(v * 10) / 10;
  return {
    encode_ms: ms(costs.encodeMs),
    encode_deviation_ms: ms(costs.encodeDeviationMs),
    decoder_run_ms: ms(costs.decoderRunMs),
    safety_ms: ms(costs.safetyMs()),
  };
}

/**
 * Admission before the body is read: a request that would wait past its time limit is answered 429
 * at once and costs nothing more; an admitted one holds its place (`ctx.state.reservation`) until it
 * queues its task, and gives it back however the request ends. `kind`: what the request will most
 * likely need (see Segmenter.precheck).
 */
function reserve(
  segmenter: Segmenter,
  kind: (ctx: Koa.ParameterizedContext<State>) => 'decode' | 'encode' | 'speculative',
): Koa.Middleware<State> {
  return async (ctx, next) => {
    ctx.state.reservation = segmenter.precheck(kind(ctx));
    try {
      await next();
    } finally {
      ctx.state.reservation?.release();
    }
  };
}

/**
 * Bodies above this size carry pixels (a request by image_id is a few hundred bytes): such a request
 * will most likely need an encode, and is refused before its body is read when no encode would fit.
 */
const pixelBodyBytes = 16 * 1024;

function carriesPixels(ctx: Koa.ParameterizedContext<State>): boolean {
  const length = Number(ctx.get('Content-Length'));
  return !(Number.isFinite(length) && length > 0 && length <= pixelBodyBytes);
}

/** Aborts when the client closes the connection before the answer is sent: its work is cancelled. */
function clientSignal(ctx: Koa.Context): AbortSignal {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort();
  });
  return controller.signal;
}
