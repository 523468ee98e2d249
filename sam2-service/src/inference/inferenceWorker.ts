/**
 * Inference worker: owns one encoder and one decoder session (loaded once: re-creating sessions leaks)
 * and runs them off the main thread, because session.run blocks the event loop.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Tensor } from 'onnxruntime-node';
import { modelSide, toModelInput } from '../image/modelInput';
import { logitsToRle } from '../mask/logitsToRle';
import { detectAdapter } from '../model/adapters/detectAdapter';
import { ModelFilesError, verifyUnchanged } from '../model/modelFiles';
import type { Feeds, ModelAdapter } from '../model/adapters/modelAdapter';
import type { LoadedSessions } from './sessions';
import { loadSessions } from './sessions';
import { type Candidate, argmax, selectMasks, toCandidate } from './automaticMasks';
import type {
  DecodeResult,
  DecodeTask,
  EncodeResult,
  EncodeTask,
  FromWorker,
  MaskResult,
  SharedEmbedding,
  ToWorker,
  WorkerData,
} from './protocol';

const port = parentPort;
if (!port) throw new Error('inferenceWorker must run in a worker thread');
const init = workerData as WorkerData;

let sessions: LoadedSessions;
let adapter: ModelAdapter;
/** Reused model-input buffer: a fresh 12 MiB array per slice would only churn the allocator. */
const modelInput = new Float32Array(3 * modelSide * modelSide);
/** The embedding this worker last used, as ORT tensors over worker-owned memory (no copy on reuse). */
let current: { key: string; feeds: Feeds } | undefined;
/** Worker-owned staging arrays per embedding name: ORT cannot read SharedArrayBuffer-backed tensors. */
const staging = new Map<string, Float32Array>();

/** Thrown between decoder runs once the pool has set this worker's cancel flag. */
class CancelledError extends Error {
  constructor(readonly decoderRuns: number) {
    super('cancelled');
  }
}

function post(message: FromWorker): void {
  port!.postMessage(message);
}

async function encode(task: EncodeTask): Promise<EncodeResult> {
  const start = performance.now();
  toModelInput(task.gray, task.width, task.height, modelInput);
  const input = new Tensor('float32', modelInput, [1, 3, modelSide, modelSide]);
  const outputs = await sessions.encoder.run({ [adapter.encoderInput]: input });
  const feeds: Feeds = {};
  const embeddings: SharedEmbedding[] = adapter.embeddingNames.map((name) => {
    const tensor = outputs[name] as Tensor;
    const data = tensor.data as Float32Array;
    const buffer = new SharedArrayBuffer(data.byteLength);
    new Float32Array(buffer).set(data);
    feeds[name] = tensor;
    return { name, dims: [...tensor.dims], buffer };
  });
  current = { key: task.key, feeds };
  return { embeddings, encodeMs: performance.now() - start };
}

/** Tensors for a cached embedding: reused when this worker already holds it, else copied once. */
function embeddingFeeds(key: string, embeddings: SharedEmbedding[]): Feeds {
  if (current?.key === key) return current.feeds;
  const feeds: Feeds = {};
  for (const e of embeddings) {
    const length = e.buffer.byteLength / 4;
    let target = staging.get(e.name);
    if (!target || target.length !== length) {
      target = new Float32Array(length);
      staging.set(e.name, target);
    }
    target.set(new Float32Array(e.buffer));
    feeds[e.name] = new Tensor('float32', target, e.dims);
  }
  current = { key, feeds };
  return feeds;
}

async function decode(task: DecodeTask): Promise<DecodeResult> {
  const start = performance.now();
  const embeddings = embeddingFeeds(task.key, task.embeddings);
  const slice = { height: task.height, width: task.width };
  let runs = 0;
  // ORT's Node binding runs synchronously under its promise; a plain loop keeps prompts in order.
  const runDecoder = async (prompts: Parameters<ModelAdapter['decoderFeeds']>[1]) => {
    // Every waiter has gone: stop here, so a cancelled request costs at most the run in progress.
    if (Atomics.load(init.cancel, 0) === 1) throw new CancelledError(runs);
    runs++;
    const outputs = await sessions.decoder.run(adapter.decoderFeeds(embeddings, prompts, slice));
    return adapter.readDecoderOutputs(outputs);
  };
  const toMask = (logits: Parameters<typeof logitsToRle>[0], index: number, score: number): MaskResult => ({
    ...logitsToRle(logits, index, task.height, task.width),
    score,
  });

  const request = task.request;
  let masks: MaskResult[];
  if (request.mode === 'prompt') {
    const result = await runDecoder(request.prompts);
    const order = request.multimask
      ? [...result.scores.keys()].sort((a, b) => result.scores[b] - result.scores[a])
      : [argmax(result.scores)];
    masks = order.map((i) => toMask(result.logits, i, result.scores[i]));
  } else {
    // The grid goes through the decoder's prompt-batch dimension, batchSize points per run.
    const candidates: Candidate[] = [];
    for (let at = 0; at < request.points.length; at += request.batchSize) {
      if (Atomics.load(init.cancel, 0) === 1) throw new CancelledError(runs);
      const batch = request.points.slice(at, at + request.batchSize);
      runs++;
      const outputs = await sessions.decoder.run(adapter.pointBatchFeeds(embeddings, batch, slice));
      for (const result of adapter.readDecoderBatch(outputs, batch.length)) {
        const candidate = toCandidate(result, request.options);
        if (candidate) candidates.push(candidate);
      }
    }
    masks = selectMasks(candidates, task.height, task.width, request.options);
  }
  return { masks, decodeMs: performance.now() - start, decoderRuns: runs };
}

async function warmUp(): Promise<{ warmupMs: number; encodeMs: number; decodeMs: number }> {
  const start = performance.now();
  const side = 64;
  const gray = new Uint8Array(side * side).fill(128);
  const { encodeMs } = await encode({ kind: 'encode', key: '__warmup__', gray, width: side, height: side });
  const { decodeMs } = await decode({
    kind: 'decode',
    key: '__warmup__',
    embeddings: [],
    width: side,
    height: side,
    request: { mode: 'prompt', prompts: { points: [{ x: 512, y: 512, label: 1 }] }, multimask: false },
  });
  current = undefined;
  return { warmupMs: performance.now() - start, encodeMs, decodeMs };
}

async function start(): Promise<void> {
  try {
    try {
      sessions = await loadSessions(init.encoderPath, init.decoderPath, init.device, init.threads);
    } catch (error) {
      await verifyUnchanged(init.files); // a changed file is the reason to report, not ORT's parse error
      throw error;
    }
    // After loading: whatever ORT read (before or during the load) must be the bytes verified at start.
    await verifyUnchanged(init.files);
    adapter = detectAdapter(sessions.encoder, sessions.decoder);
    const { warmupMs, encodeMs, decodeMs } = await warmUp();
    post({
      type: 'ready',
      family: adapter.family,
      device: sessions.device,
      deviceWarning: sessions.deviceWarning,
      deviceWarningDetail: sessions.deviceWarningDetail,
      warmupMs,
      encodeMs,
      decodeMs,
    });
  } catch (error) {
    post({
      type: 'load-failed',
      code: error instanceof ModelFilesError ? 'model_files_changed' : 'model_load_failed',
      message: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  port!.on('message', (message: ToWorker) => {
    const run = message.task.kind === 'encode' ? encode(message.task) : decode(message.task);
    run.then(
      (result) => post({ type: 'result', id: message.id, result }),
      (error: unknown) =>
        post({
          type: 'error',
          id: message.id,
          message: error instanceof Error ? error.message : String(error),
          ...(error instanceof CancelledError ? { cancelled: true, decoderRuns: error.decoderRuns } : {}),
        }),
    );
  });
}

void start();
