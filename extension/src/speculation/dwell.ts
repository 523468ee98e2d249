/**
 * When to encode speculatively: after the user has stayed on one slice for `dwellMs` without scrolling
 * on. Scrolling to another slice restarts the wait and aborts a request still running for the slice
 * left behind (the service then cancels its work). A busy service (429) or one with speculation
 * switched off (403) is left alone for a while. Failures never reach the user: speculation is optional
 * work, the click does the same work itself when it has to.
 */
import { Sam2Error } from '../api/errors';

/** What is shown: `key` names the slice and display as the encoder sees them (sliceEncodingKey). */
export interface DwellTarget {
  key: string;
}

export interface DwellOptions<T extends DwellTarget> {
  /** Time on one slice before it is encoded, ms. */
  dwellMs: number;
  /** Encodes `target`; resolves when done (or nothing was needed), rejects with a Sam2Error. */
  encode(target: T, signal: AbortSignal): Promise<unknown>;
  /** Where failures go (the browser console's debug level in the viewer). */
  debug?(message: string, detail?: unknown): void;
  /** Pause after the first 429 without Retry-After, ms; doubles on each further 429. */
  firstBackoffMs?: number;
  /** Longest pause after 429s, and the pause after a 403 SPECULATION_DISABLED, ms. */
  maxBackoffMs?: number;
}

export class DwellScheduler<T extends DwellTarget> {
  private shown?: T;
  private timer?: ReturnType<typeof setTimeout>;
  private inFlight?: { key: string; abort: AbortController };
  private backoffMs: number;
  private backoffUntil = 0;

  constructor(private readonly options: DwellOptions<T>) {
    this.backoffMs = options.firstBackoffMs ?? 2000;
  }

  /** Key of the slice whose encode request is running, if any (for tests and logs). */
  get runningKey(): string | undefined {
    return this.inFlight?.key;
  }

  /** Whether a dwell timer is armed. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /**
   * The user now looks at `target` (undefined: at nothing to encode). The same key again changes
   * nothing, so repeated events for one slice neither restart the wait nor cancel its request.
   */
  show(target: T | undefined): void {
    if (target?.key === this.shown?.key && target) return;
    this.shown = target;
    this.clearTimer();
    if (this.inFlight && this.inFlight.key !== target?.key) this.abortRunning();
    if (target) this.arm(this.options.dwellMs);
  }

  /** Stops everything: no timer, the running request aborted, nothing shown. */
  stop(): void {
    this.shown = undefined;
    this.clearTimer();
    this.abortRunning();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private abortRunning(): void {
    this.inFlight?.abort.abort();
    this.inFlight = undefined;
  }

  private arm(delayMs: number): void {
    const wait = Math.max(delayMs, this.backoffUntil - Date.now());
    this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    const target = this.shown;
    if (!target || this.inFlight?.key === target.key) return;
    const running = { key: target.key, abort: new AbortController() };
    this.inFlight = running;
    this.options.encode(target, running.abort.signal).then(
      () => {
        if (this.inFlight === running) this.inFlight = undefined;
        this.backoffMs = this.options.firstBackoffMs ?? 2000;
      },
      (error: unknown) => {
        if (this.inFlight === running) this.inFlight = undefined;
        this.failed(target, running.abort.signal.aborted, error);
      },
    );
  }

  private failed(target: T, aborted: boolean, error: unknown): void {
    const debug = this.options.debug ?? (() => undefined);
    if (aborted) {
      debug('speculative encode cancelled (scrolled on)');
      return;
    }
    const maxBackoffMs = this.options.maxBackoffMs ?? 60000;
    if (error instanceof Sam2Error && error.code === 'SPECULATION_DISABLED') {
      this.backoffUntil = Date.now() + maxBackoffMs;
      debug('speculative encoding is switched off in the service');
      return;
    }
    if (error instanceof Sam2Error && error.kind === 'busy') {
      const pauseMs =
        error.retryAfterS !== undefined ? Math.min(error.retryAfterS * 1000, maxBackoffMs) : this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
      this.backoffUntil = Date.now() + pauseMs;
      debug(`speculative encode refused (busy); pausing ${Math.round(pauseMs)} ms`);
      // Still on that slice after the pause: try once more.
      if (this.shown?.key === target.key && !this.timer) this.arm(0);
      return;
    }
    debug('speculative encode failed', error);
  }
}
