/**
 * CLI: generate a fixture SAM2 encoder/decoder pair (no real weights) for tests and benchmarks.
 *   node dist/scripts/makeFixtureModel.js --family <samexporter|onnx-community> --out <dir>
 *        [--encoder-layers N] [--decoder-layers N] [--orig-im-size]
 * --encoder-layers / --decoder-layers add CPU cost (fixtureEncoder.ts, fixtureDecoder.ts); `npm run bench`
 * calibrates both to SAM2-tiny's published CPU times (~2 s encoder, ~60 ms decoder per prompt set).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

import { writeFixtureModel, type FixtureFamily } from './fixture/writeFixtureModel';

const USAGE =
  'usage: makeFixtureModel --family <samexporter|onnx-community> --out <dir> [--encoder-layers N] [--decoder-layers N] [--orig-im-size]';
const FAMILIES: readonly FixtureFamily[] = ['samexporter', 'onnx-community'];

class UsageError extends Error {}

interface CliOptions {
  family: FixtureFamily;
  outDir: string;
  encoderLayers: number;
  decoderLayers: number;
  origImSize: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        family: { type: 'string' },
        out: { type: 'string' },
        'encoder-layers': { type: 'string' },
        'decoder-layers': { type: 'string' },
        'orig-im-size': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';

  const family = values.family as FixtureFamily | undefined;
  if (!family || !FAMILIES.includes(family)) {
    throw new UsageError(
      `--family must be one of ${FAMILIES.join(', ')} (got ${values.family ?? 'nothing'})`,
    );
  }
  if (!values.out) throw new UsageError('--out <dir> is required');

  const layersText = values['encoder-layers'] ?? '0';
  if (!/^\d+$/.test(layersText)) {
    throw new UsageError(`--encoder-layers must be an integer >= 0 (got ${layersText})`);
  }
  const decoderLayersText = values['decoder-layers'] ?? '0';
  if (!/^\d+$/.test(decoderLayersText)) {
    throw new UsageError(`--decoder-layers must be an integer >= 0 (got ${decoderLayersText})`);
  }
  if (values['orig-im-size'] && family !== 'samexporter') {
    throw new UsageError('--orig-im-size is only supported for --family samexporter');
  }
  return {
    family,
    outDir: path.resolve(values.out),
    encoderLayers: Number(layersText),
    decoderLayers: Number(decoderLayersText),
    origImSize: values['orig-im-size'],
  };
}

async function main(): Promise<void> {
  let opts: CliOptions | 'help';
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (opts === 'help') {
    console.log(USAGE);
    return;
  }

  const manifest = await writeFixtureModel(opts);
  console.log(`wrote FIXTURE model ${manifest.name} (not SAM2 weights) to ${opts.outDir}`);
  for (const file of Object.keys(manifest.sha256)) {
    console.log(`  ${file}  sha256 ${manifest.sha256[file]}`);
  }
  console.log('  model.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
