/**
 * First-start model download: fetches the configured variant with the same sha256-verified, resumable
 * code as `npm run model:fetch` (scripts/modelFetch) and keeps the progress that /readyz and /health
 * report while it runs.
 */
import { ChecksumMismatchError } from '../../scripts/modelFetch/download';
import { type FetchEvent, fetchVariant } from '../../scripts/modelFetch/fetchVariant';
import type { Logger } from '../logger';

/** Public progress (in /readyz and /health as `download`); sizes in bytes, rate in bytes/s. */
export interface DownloadProgress {
  variant: string;
  received_bytes: number;
  /** 0 until the hub's metadata arrived. */
  total_bytes: number;
  /** 0–100, one decimal. */
  percent: number;
  /** Mean rate of this run's new bytes (resumed bytes are not counted). */
  bytes_per_second: number;
  /** Seconds left at that rate; null while unknown. */
  eta_s: number | null;
}

/** Why a download failed, as a public code (details go to the log). */
export type DownloadFailure = 'model_download_failed' | 'model_checksum_mismatch';

export interface ModelDownloadOptions {
  variant: string;
  dir: string;
  hubUrl: string;
  token?: string;
  /** Delay before the first retry of an interrupted file (doubles per retry). */
  retryDelayMs?: number;
  logger: Logger;
  /** Interval between plain progress log lines. */
  logIntervalMs?: number;
}

/** One download run; `run()` resolves true when the files are in place and verified. */
export class ModelDownload {
  private total = 0;
  private doneBytes = 0;
  private currentBytes = 0;
  /** Bytes already on disk when this run began (skipped files and resumed parts). */
  private preexisting = 0;
  private readonly startedAt = Date.now();
  private lastLog = 0;
  failure: DownloadFailure | undefined;

  constructor(private readonly opts: ModelDownloadOptions) {}

  get progress(): DownloadProgress {
    const received = this.doneBytes + this.currentBytes;
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 1e-3);
    const rate = Math.max(received - this.preexisting, 0) / seconds;
    const left = Math.max(this.total - received, 0);
    return {
      variant: this.opts.variant,
      received_bytes: received,
      total_bytes: this.total,
      percent: this.total > 0 ? Math.floor((1000 * received) / this.total) / 10 : 0,
      bytes_per_second: Math.round(rate),
      eta_s: this.total > 0 && rate > 0 ? Math.ceil(left / rate) : null,
    };
  }

  async run(): Promise<boolean> {
    const { logger, variant, hubUrl } = this.opts;
    logger.info({ variant, hub: hubUrl }, `downloading the SAM2 model ${variant} (first start)`);
    try {
      await fetchVariant({
        variant,
        dir: this.opts.dir,
        hubUrl,
        token: this.opts.token,
        retryDelayMs: this.opts.retryDelayMs,
        onEvent: (event) => this.handle(event),
      });
      this.currentBytes = 0;
      this.doneBytes = this.total;
      const p = this.progress;
      logger.info(
        { download: p },
        `model ${variant} downloaded and verified (${mb(p.total_bytes)} MB in ${elapsed(this.startedAt)} s)`,
      );
      return true;
    } catch (error) {
      this.failure =
        error instanceof ChecksumMismatchError ? 'model_checksum_mismatch' : 'model_download_failed';
      logger.error(
        { reason: this.failure, detail: error instanceof Error ? error.message : String(error) },
        this.failure === 'model_checksum_mismatch'
          ? 'the downloaded model failed verification and was deleted; restart to fetch it again'
          : `the SAM2 model could not be downloaded from ${hubUrl}; partial files are kept and resume on the next start`,
      );
      return false;
    }
  }

  private handle(event: FetchEvent): void {
    switch (event.type) {
      case 'metadata':
        this.total = event.totalBytes;
        break;
      case 'skip':
        this.doneBytes += event.bytes;
        this.preexisting += event.bytes;
        break;
      case 'start':
        this.currentBytes = event.resumeFrom;
        this.preexisting += event.resumeFrom;
        break;
      case 'progress':
        this.currentBytes = event.received;
        this.logProgress();
        break;
      case 'restart':
        this.preexisting -= this.currentBytes;
        this.currentBytes = 0;
        break;
      case 'verified':
        this.doneBytes += event.bytes;
        this.currentBytes = 0;
        break;
      case 'retry':
        this.opts.logger.warn(
          { file: event.file, attempt: event.attempt },
          'model download interrupted; retrying',
        );
        break;
      default:
        break;
    }
  }

  /** A plain line at most every `logIntervalMs` (terminals get a bar from `npm start` instead). */
  private logProgress(): void {
    const now = Date.now();
    if (now - this.lastLog < (this.opts.logIntervalMs ?? 5000)) return;
    this.lastLog = now;
    const p = this.progress;
    const eta = p.eta_s === null ? '' : `, ${p.eta_s} s left`;
    this.opts.logger.info(
      { download: p },
      `model download ${p.percent.toFixed(1)} %: ${mb(p.received_bytes)} of ${mb(p.total_bytes)} MB, ` +
        `${mb(p.bytes_per_second)} MB/s${eta}`,
    );
  }
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const elapsed = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);
