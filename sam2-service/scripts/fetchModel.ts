/**
 * `npm run model:fetch`: downloads a SAM2 ONNX variant from the model hub, verifies it and writes
 * model.json. See docs/models.md.
 *
 * Exit codes: 0 ready, 1 download/verification failed, 2 bad usage or unknown variant.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ChecksumMismatchError } from './modelFetch/download';
import {
  DEFAULT_HUB_URL,
  type FetchEvent,
  MANIFEST_FILE,
  UnknownVariantError,
  fetchVariant,
  variantFiles,
} from './modelFetch/fetchVariant';
import type { FetchFn } from './modelFetch/hubClient';
import { DEFAULT_VARIANT, VARIANTS } from './modelFetch/variants';

interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** For tests; the global fetch otherwise. */
  fetchImpl?: FetchFn;
  retryDelayMs?: number;
}

const USAGE = `usage: fetchModel [--variant NAME] [--dir DIR] [--hub URL] [--revision REV] [--list]

  --variant NAME   variant to fetch (env SAM2_MODEL_VARIANT, default ${DEFAULT_VARIANT})
  --dir DIR        target directory (env SAM2_MODEL_DIR, default ./models/<variant>)
  --hub URL        model hub base URL (env SAM2_HUB_URL, default ${DEFAULT_HUB_URL})
  --revision REV   branch, tag or commit (default: the variant's registered revision)
  --list           list the known variants and exit
  env SAM2_HUB_TOKEN is sent as a Bearer token when set.
`;

function envValue(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const v = env[key]?.trim();
  return v ? v : undefined;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

function listVariants(out: OutStream): void {
  const rows = VARIANTS.map((v) => [
    v.name === DEFAULT_VARIANT ? `${v.name} (default)` : v.name,
    v.family,
    v.variant,
    `${v.repo}@${v.revision}`,
    variantFiles(v).join(', '),
  ]);
  const header = ['NAME', 'FAMILY', 'SIZE', 'REPO', 'FILES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) {
    out.write(`${r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('  ')}\n`);
  }
}

/** Progress on stderr: a throttled, redrawn line on a TTY; only start/end lines otherwise. */
export class ProgressReporter {
  private lastDraw = 0;
  private lineOpen = false;
  private drawnFinal: string | undefined;

  constructor(
    private readonly out: OutStream,
    private readonly tty: boolean,
    private readonly intervalMs = 250,
  ) {}

  handle(ev: FetchEvent): void {
    switch (ev.type) {
      case 'metadata': {
        const commit = ev.commit ? ` (commit ${ev.commit.slice(0, 12)})` : '';
        this.line(`${ev.repo}@${ev.revision}${commit}: ${ev.files} files, ${mb(ev.totalBytes)} MB`);
        break;
      }
      case 'skip':
        this.line(`  ${ev.file}: already present, sha256 ok`);
        break;
      case 'stale':
        this.line(`  ${ev.file}: ${ev.reason}`);
        break;
      case 'start':
        this.line(
          ev.resumeFrom > 0
            ? `  ${ev.file}: resuming at ${mb(ev.resumeFrom)} of ${mb(ev.total)} MB`
            : `  ${ev.file}: downloading ${mb(ev.total)} MB`,
        );
        break;
      case 'progress': {
        if (!this.tty) break;
        const now = Date.now();
        const final = ev.received >= ev.total;
        if (final ? this.drawnFinal === ev.file : now - this.lastDraw < this.intervalMs) break;
        this.lastDraw = now;
        if (final) this.drawnFinal = ev.file;
        const pct = ev.total > 0 ? ((100 * ev.received) / ev.total).toFixed(1) : '100.0';
        const rate = (ev.bytesPerSecond / 1e6).toFixed(1);
        this.out.write(
          `\r\x1b[K  ${ev.file}  ${pct.padStart(5)}%  ${mb(ev.received)}/${mb(ev.total)} MB  ${rate} MB/s`,
        );
        this.lineOpen = true;
        break;
      }
      case 'restart':
        this.line(`  ${ev.file}: ${ev.reason}; starting over`);
        break;
      case 'retry':
        this.line(
          `  ${ev.file}: interrupted (${ev.error}); retry ${ev.attempt} in ${(ev.delayMs / 1000).toFixed(1)} s` +
            (ev.resumeFrom > 0 ? `, resuming at ${mb(ev.resumeFrom)} MB` : ''),
        );
        break;
      case 'verified': {
        const seconds = ev.elapsedMs / 1000;
        this.line(`  ${ev.file}: ok, ${mb(ev.bytes)} MB in ${seconds.toFixed(1)} s, sha256 ${ev.sha256}`);
        break;
      }
    }
  }

  /** Ends a redrawn progress line before printing a normal one. */
  line(text: string): void {
    if (this.lineOpen) this.out.write('\r\x1b[K');
    this.lineOpen = false;
    this.out.write(`${text}\n`);
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let values: {
    variant?: string;
    dir?: string;
    hub?: string;
    revision?: string;
    list?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        variant: { type: 'string' },
        dir: { type: 'string' },
        hub: { type: 'string' },
        revision: { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`error: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.list) {
    listVariants(io.stdout);
    return 0;
  }

  const variant = values.variant ?? envValue(io.env, 'SAM2_MODEL_VARIANT') ?? DEFAULT_VARIANT;
  if (!VARIANTS.some((v) => v.name === variant)) {
    io.stderr.write(`error: unknown model variant "${variant}". Valid variants:\n`);
    for (const v of VARIANTS) io.stderr.write(`  ${v.name}\n`);
    return 2;
  }
  const dir = path.resolve(
    io.cwd,
    values.dir ?? envValue(io.env, 'SAM2_MODEL_DIR') ?? path.join('models', variant),
  );
  const hubUrl = values.hub ?? envValue(io.env, 'SAM2_HUB_URL') ?? DEFAULT_HUB_URL;
  const token = envValue(io.env, 'SAM2_HUB_TOKEN');
  const reporter = new ProgressReporter(io.stderr, io.stderr.isTTY === true);

  reporter.line(`fetching ${variant} from ${hubUrl} into ${dir}`);
  try {
    const result = await fetchVariant({
      variant,
      dir,
      hubUrl,
      revision: values.revision,
      token,
      onEvent: (ev) => reporter.handle(ev),
      fetchImpl: io.fetchImpl,
      retryDelayMs: io.retryDelayMs,
    });
    const counts = `${result.downloaded.length} downloaded, ${result.skipped.length} already present`;
    reporter.line(`done: ${counts}; wrote ${path.join(result.dir, MANIFEST_FILE)}`);
    return 0;
  } catch (err) {
    if (err instanceof UnknownVariantError) {
      reporter.line(`error: ${err.message}`);
      return 2;
    }
    if (err instanceof ChecksumMismatchError) {
      reporter.line(`error: verification failed for ${err.file}\n${err.message}`);
      return 1;
    }
    reporter.line(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
