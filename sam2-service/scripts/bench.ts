/**
 * `npm run bench`: one run of the service's performance figures on this machine (a script, not a test).
 *
 *   node dist/scripts/bench.js [--json] [--model-dir DIR] [--target-encoder-ms 2000]
 *        [--target-decoder-ms 60] [--requests 8] [--users 4] [--rounds 2] [--burst-clients 16]
 *        [--only uncached,cached,dwell,automatic,healthz,interactive,burst]
 *        [--encoder-layers N --decoder-layers M]   (a FIXTURE of these depths, without calibration)
 *
 * Without --model-dir it benchmarks a FIXTURE model whose encoder and decoder are calibrated to about
 * --target-encoder-ms and --target-decoder-ms of CPU time on this machine (SAM2-tiny's published CPU
 * times: ~2 s encoder, 60–100 ms decoder), since real weights cannot be downloaded here. Raw ORT runs
 * and service requests alternate, so the ratios compare measurements taken under the same machine
 * conditions (CPU time on shared VMs drifts by ±30 %). `--json` prints one JSON object on stdout
 * (progress goes to stderr); without it, a table.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { modelSide, toModelInput } from '../src/image/modelInput';
import { toDisplayImage } from '../src/image/windowing';
import { detectAdapter } from '../src/model/adapters/detectAdapter';
import type { Feeds, ModelAdapter } from '../src/model/adapters/modelAdapter';
import { sessionOptions } from '../src/inference/sessions';
import { resolveModelFiles } from '../src/model/modelFiles';
import { toModelPrompts } from '../src/model/promptScaling';
import type { Prompts } from '../src/model/types';
import { writeFixtureModel } from './fixture/writeFixtureModel';
import { type CtSlice, exampleSeriesDir, hasSharedData, readCtSlice } from './lib/ctSlices';
import { startServiceProcess } from './lib/serviceProcess';
import { type BenchContext, parseOnly, percentile, printTable, runScenarios } from './benchScenarios';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'model-dir': { type: 'string' },
    'target-encoder-ms': { type: 'string', default: '2000' },
    'target-decoder-ms': { type: 'string', default: '60' },
    requests: { type: 'string', default: '8' },
    users: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '2' },
    'burst-clients': { type: 'string', default: '16' },
    only: { type: 'string' },
    'encoder-layers': { type: 'string' },
    'decoder-layers': { type: 'string' },
  },
});
const cores = os.availableParallelism();
/** Progress and notes: stderr, so that `--json` leaves exactly one JSON object on stdout. */
const note = (text: string) => process.stderr.write(`${text}\n`);

const median = (samples: number[]) => percentile(samples, 50);
const ms = (v: number) => `${v.toFixed(1)} ms`;
const timed = async (run: () => Promise<unknown>) => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};

/** Real CT slices when ../shared/data is present, synthetic ones otherwise. */
function loadSlices(): CtSlice[] {
  if (hasSharedData) {
    return readdirSync(exampleSeriesDir)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => readCtSlice(path.join(exampleSeriesDir, f)));
  }
  note('(real CT data not found: using synthetic slices)');
  return Array.from({ length: 20 }, (_, k) => ({
    pixels: new Int16Array(512 * 512).map((_, i) => ((i % 512) - 256) ** 2 / 64 - 1000 + k * 3),
    imageType: 'int16' as const,
    width: 512,
    height: 512,
    slope: 1,
    intercept: 0,
    photometric: 'MONOCHROME2' as const,
    patientId: '',
    studyUid: '',
    seriesUid: '',
    sopUid: '',
  }));
}

/** ORT alone, with the worker's session options: the "raw" time the service is compared with. */
export class RawModel {
  private embeddings: Feeds = {};
  private constructor(
    readonly name: string,
    private readonly encoder: InferenceSession,
    private readonly decoder: InferenceSession,
    private readonly adapter: ModelAdapter,
  ) {}

  static async load(modelDir: string, threads: number): Promise<RawModel> {
    const files = await resolveModelFiles(modelDir);
    const options: InferenceSession.SessionOptions = {
      ...sessionOptions(threads),
      executionProviders: ['cpu'],
    };
    const encoder = await InferenceSession.create(files.encoderPath, options);
    const decoder = await InferenceSession.create(files.decoderPath, options);
    return new RawModel(files.name, encoder, decoder, detectAdapter(encoder, decoder));
  }

  /** Encoder run only (the model input is prepared outside the timing). */
  async encode(slice: CtSlice): Promise<number> {
    const rescale = { slope: slice.slope, intercept: slice.intercept };
    const { gray } = toDisplayImage(slice.pixels, { rescale, alreadyWindowed: false });
    const input = new Tensor('float32', toModelInput(gray, slice.width, slice.height), [
      1,
      3,
      modelSide,
      modelSide,
    ]);
    let outputs: InferenceSession.OnnxValueMapType = {};
    const elapsed = await timed(async () => {
      outputs = await this.encoder.run({ [this.adapter.encoderInput]: input });
    });
    this.embeddings = Object.fromEntries(this.adapter.embeddingNames.map((n) => [n, outputs[n] as Tensor]));
    return elapsed;
  }

  async decode(slice: CtSlice, prompts: Prompts): Promise<number> {
    const feeds = this.adapter.decoderFeeds(
      this.embeddings,
      toModelPrompts(prompts, slice.width, slice.height),
      slice,
    );
    return timed(() => this.decoder.run(feeds));
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }
}

/** Fits `layers` so that `measure(layers)` ≈ target: a linear model from 0 and a probe, corrected twice. */
async function calibrate(
  what: string,
  targetMs: number,
  firstProbe: number,
  measure: (layers: number) => Promise<number>,
): Promise<number> {
  const base = await measure(0);
  let layers = firstProbe;
  let measured = await measure(layers);
  for (let step = 0; step < 2; step++) {
    const perLayer = Math.max(0.05, (measured - base) / layers);
    const next = Math.max(1, Math.round((targetMs - base) / perLayer));
    if (Math.abs(next - layers) <= layers * 0.05) break;
    layers = next;
    measured = await measure(layers);
  }
  note(`fixture calibration: ${layers} ${what} layers → ${ms(measured)} (target ${targetMs} ms)`);
  return layers;
}

/** A FIXTURE model calibrated to the target encoder and decoder times on this machine. */
async function calibratedFixture(
  targetEncoderMs: number,
  targetDecoderMs: number,
  slice: CtSlice,
  layers: { encoder?: number; decoder?: number },
): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sam2-bench-'));
  const probe = async (encoderLayers: number, decoderLayers: number) => {
    const dir = path.join(root, `L${encoderLayers}-D${decoderLayers}`);
    await writeFixtureModel({ family: 'samexporter', outDir: dir, encoderLayers, decoderLayers });
    return { dir, model: await RawModel.load(dir, cores) };
  };
  // Given depths (e.g. those of an earlier run, to reproduce it quickly) skip calibration.
  if (layers.encoder !== undefined && layers.decoder !== undefined) {
    const { dir, model } = await probe(layers.encoder, layers.decoder);
    await model.release();
    return dir;
  }
  const encoderLayers = await calibrate('encoder', targetEncoderMs, 100, async (layers) => {
    const { model } = await probe(layers, 0);
    await model.encode(slice);
    const samples = [await model.encode(slice), await model.encode(slice)];
    await model.release();
    return median(samples);
  });
  const decoderLayers = await calibrate('decoder', targetDecoderMs, 20, async (layers) => {
    const { model } = await probe(0, layers);
    await model.encode(slice);
    const samples: number[] = [];
    for (let i = 0; i < 6; i++)
      samples.push(await model.decode(slice, { points: [{ x: 200, y: 300, label: 1 }] }));
    await model.release();
    return median(samples.slice(1));
  });
  return (await probe(encoderLayers, decoderLayers)).dir;
}

const optionalInt = (value: string | undefined) => (value === undefined ? undefined : Number(value));

async function main(): Promise<void> {
  const only = parseOnly(args.only);
  const slices = loadSlices();
  const modelDir =
    args['model-dir'] ??
    (await calibratedFixture(
      Number(args['target-encoder-ms']),
      Number(args['target-decoder-ms']),
      slices[0],
      {
        encoder: optionalInt(args['encoder-layers']),
        decoder: optionalInt(args['decoder-layers']),
      },
    ));
  const raw = await RawModel.load(modelDir, cores);
  const context: BenchContext = {
    slices,
    raw,
    modelDir,
    cores,
    requests: Number(args.requests),
    users: Number(args.users),
    rounds: Number(args.rounds),
    burstClients: Number(args['burst-clients']),
    note,
    startService: (env) => startServiceProcess({ SAM2_LOG_LEVEL: 'info', SAM2_MAX_QUEUE: '64', ...env }),
  };
  const figures = await runScenarios(context, only);
  await raw.release();
  const result = {
    model: raw.name,
    machine: { cores, cpu: os.cpus()[0]?.model ?? 'cpu', node: process.version },
    ...figures,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printTable(result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
