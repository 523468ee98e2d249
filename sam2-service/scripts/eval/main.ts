/**
 * `npm run eval`: how well the model segments your own labelled CT, per structure and prompt style.
 *
 *   npm run eval -- --model-dir DIR | --service URL  --images <DICOM folder | .nii[.gz]>
 *     --labels <DICOM SEG | NIfTI label map> [--label-table TSV] [--structures liver,vertebrae_L3]
 *     [--prompts box,point,box+point,context-one-click,automatic] [--slices every|centre|N] [--out DIR]
 *     [--seed 1] [--max-jitter 5]
 *
 * Writes report.json, summary.csv, slices.csv and report.html to --out (default ./eval-report).
 * Method and how to read the report: docs/evaluation.md. Exit code 0 when the run completed (whatever
 * the scores), 1 on a problem with the inputs or the service (message on stderr).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readImages, readReference } from './io/inputs';
import { modelIdentity } from './modelIdentity';
import { DEFAULT_PROMPT_STYLES, PROMPT_STYLES, type PromptStyle } from './prompts';
import { DEFINITIONS, writeReport } from './report/write';
import { evaluate, plan } from './run';
import { SegmentationClient, startService } from './service';
import { parseSliceSelection } from './slices';
import { summarise } from './summary';
import { pixelSpacing } from './volume';

const USAGE =
  'usage: npm run eval -- (--model-dir DIR | --service URL) --images PATH --labels PATH [--label-table TSV] [--structures a,b] [--prompts box,point,box+point,context-one-click,automatic] [--slices every|centre|N] [--out DIR] [--seed N] [--max-jitter PX]';

/** npm runs scripts from the repository root; paths on the command line are the caller's (INIT_CWD). */
const fromCaller = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

function options() {
  const { values } = parseArgs({
    options: {
      'model-dir': { type: 'string' },
      service: { type: 'string' },
      images: { type: 'string' },
      labels: { type: 'string' },
      'label-table': { type: 'string' },
      structures: { type: 'string' },
      prompts: { type: 'string', default: DEFAULT_PROMPT_STYLES.join(',') },
      slices: { type: 'string', default: 'every' },
      out: { type: 'string', default: 'eval-report' },
      seed: { type: 'string', default: '1' },
      'max-jitter': { type: 'string', default: '5' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.images || !values.labels) throw new Error(`--images and --labels are required\n${USAGE}`);
  if (!values['model-dir'] && !values.service) throw new Error(`give --model-dir or --service\n${USAGE}`);
  if (values.service) checkServiceUrl(values.service);
  if (values['model-dir'] && !existsSync(fromCaller(values['model-dir'])))
    throw new Error(
      `--model-dir ${values['model-dir']} does not exist (npm run model:fetch, or npm run model:fixture for a FIXTURE)`,
    );
  const prompts = values.prompts.split(',').map((p) => p.trim()) as PromptStyle[];
  const unknown = prompts.filter((p) => !PROMPT_STYLES.includes(p));
  if (unknown.length)
    throw new Error(`--prompts: unknown ${unknown.join(', ')} (use ${PROMPT_STYLES.join(', ')})`);
  const seed = Number(values.seed);
  const maxJitterPx = Number(values['max-jitter']);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  if (!Number.isInteger(maxJitterPx) || maxJitterPx < 0)
    throw new Error('--max-jitter must be a whole number ≥ 0');
  return {
    ...values,
    'model-dir': values['model-dir'] && fromCaller(values['model-dir']),
    'label-table': values['label-table'] && fromCaller(values['label-table']),
    images: fromCaller(values.images),
    labels: fromCaller(values.labels),
    out: fromCaller(values.out),
    structures: values.structures
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    prompts,
    slices: parseSliceSelection(values.slices),
    seed,
    maxJitterPx,
  };
}

/** `--service` must be an absolute http(s) URL: the service's base, e.g. http://127.0.0.1:5000. */
function checkServiceUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new Error(`--service ${value} is not an http(s) URL (e.g. http://127.0.0.1:5000)`);
}

async function main(): Promise<void> {
  const opts = options();
  const volume = readImages(opts.images);
  const reference = readReference(volume, opts.labels, opts['label-table']);
  const planned = plan(volume, reference, opts);
  const started = opts.service ? undefined : await startService(opts['model-dir'] as string);
  try {
    const client = new SegmentationClient(
      opts.service ?? (started as { url: string }).url,
      process.env.SAM2_API_TOKEN || undefined,
    );
    const { model, serviceVersion } = await client.model();
    const identity = await modelIdentity(model, opts['model-dir']);
    const results = await evaluate(volume, reference, client, planned, opts);
    const summary = summarise(results);
    const spacing = pixelSpacing(volume);
    const title = `${model.fixture ? 'FIXTURE — ' : ''}SAM2 evaluation: ${model.name ?? 'unknown model'} on ${path.basename(opts.images)}`;
    const files = writeReport(
      opts.out,
      {
        title,
        generatedAt: new Date().toISOString(),
        fixture: model.fixture,
        model: { ...identity },
        service: {
          mode: opts.service ? 'running service' : 'in-process (built service, child process)',
          version: serviceVersion,
        },
        inputs: {
          images: path.basename(opts.images),
          labels: path.basename(opts.labels),
          grid: { columns: volume.columns, rows: volume.rows, slices: volume.slices, spacingMm: spacing },
        },
        options: {
          structures: planned.map((p) => p.structure.name),
          prompts: opts.prompts,
          slices: opts.slices,
          seed: opts.seed,
          maxJitterPx: opts.maxJitterPx,
        },
        definitions: DEFINITIONS,
      },
      summary,
      results,
      volume,
      reference,
    );
    for (const s of summary) {
      console.log(
        `${s.structure.padEnd(24)} ${s.prompt.padEnd(18)} n=${String(s.slices).padStart(3)}  Dice ${s.diceMean?.toFixed(3) ?? '–'}  HD95 ${s.hd95MedianMm?.toFixed(1) ?? '–'} mm`,
      );
    }
    console.log(`${title}\nreport: ${files.join(', ')}`);
  } finally {
    await started?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`eval: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
