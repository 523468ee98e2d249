import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** Prometheus metrics of one service instance (its own registry, so tests can start several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sam2_' }); // sam2_process_cpu_seconds_total, …
  return {
    registry,
    requests: new Counter({
      name: 'sam2_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'sam2_request_duration_seconds',
      help: 'End-to-end segmentation request latency by outcome (uncached, embedding_cached, result_cached, error)',
      labelNames: ['outcome'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    encodeSeconds: new Histogram({
      name: 'sam2_encode_duration_seconds',
      help: 'Image encoder run time (in the worker)',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    decodeSeconds: new Histogram({
      name: 'sam2_decode_duration_seconds',
      help: 'Mask decoder run time incl. post-processing (in the worker)',
      labelNames: ['mode'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    decoderRuns: new Counter({
      name: 'sam2_decoder_runs_total',
      help: 'Mask decoder runs made by the workers (automatic mode makes one a batch of grid points), cancelled decodes included',
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'sam2_queue_depth',
      help: 'Inference tasks waiting for a worker',
      registers: [registry],
    }),
    workersBusy: new Gauge({
      name: 'sam2_workers_busy',
      help: 'Workers running a task',
      registers: [registry],
    }),
    workerRestarts: new Counter({
      name: 'sam2_worker_restarts_total',
      help: 'Inference workers replaced after exiting',
      registers: [registry],
    }),
    speculativeEncodes: new Counter({
      name: 'sam2_speculative_encodes_total',
      help:
        'Speculative encodes by outcome: requested; used (a later segment request hit its embedding); ' +
        'wasted (evicted unused); cancelled (client went away, or dropped for interactive work)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    tasksCancelled: new Counter({
      name: 'sam2_tasks_cancelled_total',
      help: 'Inference tasks stopped because every waiter had gone (dropped while queued, or a decode stopped between decoder runs)',
      registers: [registry],
    }),
    admissionRefusals: new Counter({
      name: 'sam2_admission_refusals_total',
      help: 'Requests answered 429 by the scheduler, by priority class and stage (before_body, admission, dropped, dispatch)',
      labelNames: ['priority', 'stage'] as const,
      registers: [registry],
    }),
    refusalSeconds: new Histogram({
      name: 'sam2_refusal_duration_seconds',
      help:
        'Service time of a request answered 429 (busy), from the request reaching the app to the answer handed ' +
        'to the socket, by route: what the service itself adds to a refusal (the client adds sending its body)',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    cacheHits: new Counter({
      name: 'sam2_cache_hits_total',
      help: 'Cache hits',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
    cacheMisses: new Counter({
      name: 'sam2_cache_misses_total',
      help: 'Cache misses',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
    cacheBytes: new Gauge({
      name: 'sam2_cache_bytes',
      help: 'Bytes held by each cache',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
    cacheEntries: new Gauge({
      name: 'sam2_cache_entries',
      help: 'Entries held by each cache',
      labelNames: ['cache'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
