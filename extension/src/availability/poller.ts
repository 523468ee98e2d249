/**
 * Polls the service's readiness so the button can be enabled only when a request can succeed. Checks
 * every 3 s while up and 2 s, then every 4 s, while down, so a service that stops while the user reads
 * is noticed, and one that comes back (or finishes its model download) re-enables the button, within
 * 5 s without a reload. The local viewer server answers these checks from one shared, short-lived
 * probe (viewer/src/http/readinessCache.ts), so more open viewers add no load on the service. A failed request
 * triggers an immediate check. It never shows an error by itself.
 */
import type { Readiness } from '../api/readiness';

export type AvailabilityStatus = 'unknown' | 'ready' | 'down';

export interface Availability {
  status: AvailabilityStatus;
  /** The service's state (`loading`, `unavailable`, `disabled`, `unreachable`, ...) when down. */
  state?: string;
  reason?: string;
  /** While `state` is `downloading`: the model download's progress, 0–100. */
  downloadPercent?: number;
}

export interface PollerTiming {
  firstDownDelayMs: number;
  maxDownDelayMs: number;
  upDelayMs: number;
}

/** Both bounds below 5 s: the "notice within 5 s", "re-enable within 5 s of recovery". */
export const DEFAULT_TIMING: PollerTiming = {
  firstDownDelayMs: 2000,
  maxDownDelayMs: 4000,
  upDelayMs: 3000,
};

/** Delay before the next check and the next down-delay, after a check with this outcome. */
export function nextDelay(
  ready: boolean,
  currentDownDelayMs: number,
  timing: PollerTiming = DEFAULT_TIMING,
): { delayMs: number; nextDownDelayMs: number } {
  if (ready) return { delayMs: timing.upDelayMs, nextDownDelayMs: timing.firstDownDelayMs };
  return {
    delayMs: currentDownDelayMs,
    nextDownDelayMs: Math.min(currentDownDelayMs * 2, timing.maxDownDelayMs),
  };
}

export class AvailabilityPoller {
  private current: Availability = { status: 'unknown' };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private downDelayMs: number;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly check: () => Promise<Readiness>,
    private readonly onChange: (availability: Availability) => void,
    private readonly timing: PollerTiming = DEFAULT_TIMING,
  ) {
    this.downDelayMs = timing.firstDownDelayMs;
  }

  get availability(): Availability {
    return this.current;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.checkNow();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Checks now (coalescing concurrent calls) and reschedules. */
  checkNow(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight = this.check()
      .catch((e: Error): Readiness => ({ ready: false, state: 'unreachable', reason: e.message }))
      .then((r) => {
        this.inFlight = undefined;
        const next: Availability = r.ready
          ? { status: 'ready' }
          : {
              status: 'down',
              state: r.state,
              reason: r.reason,
              ...(r.downloadPercent !== undefined ? { downloadPercent: Math.floor(r.downloadPercent) } : {}),
            };
        const changed =
          next.status !== this.current.status ||
          next.state !== this.current.state ||
          next.reason !== this.current.reason ||
          next.downloadPercent !== this.current.downloadPercent;
        this.current = next;
        if (changed) this.onChange(next);
        const { delayMs, nextDownDelayMs } = nextDelay(r.ready, this.downDelayMs, this.timing);
        this.downDelayMs = nextDownDelayMs;
        if (this.running) this.timer = setTimeout(() => void this.checkNow(), delayMs);
      });
    return this.inFlight;
  }
}
