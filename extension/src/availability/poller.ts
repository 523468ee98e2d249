/**
 * Polls the service's readiness so the button can be enabled only when a request can succeed. Backs
 * off while the service is down (2 s doubling to 30 s) and checks rarely while it is up (60 s); a
 * failed request triggers an immediate check. It never shows an error by itself.
 */
import type { Readiness } from '../api/readiness';

export type AvailabilityStatus = 'unknown' | 'ready' | 'down';

export interface Availability {
  status: AvailabilityStatus;
  /** The service's state (`loading`, `unavailable`, `disabled`, `unreachable`, ...) when down. */
  state?: string;
  reason?: string;
}

export interface PollerTiming {
  firstDownDelayMs: number;
  maxDownDelayMs: number;
  upDelayMs: number;
}

export const DEFAULT_TIMING: PollerTiming = {
  firstDownDelayMs: 2000,
  maxDownDelayMs: 30000,
  upDelayMs: 60000,
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
          : { status: 'down', state: r.state, reason: r.reason };
        const changed =
          next.status !== this.current.status ||
          next.state !== this.current.state ||
          next.reason !== this.current.reason;
        this.current = next;
        if (changed) this.onChange(next);
        const { delayMs, nextDownDelayMs } = nextDelay(r.ready, this.downDelayMs, this.timing);
        this.downDelayMs = nextDownDelayMs;
        if (this.running) this.timer = setTimeout(() => void this.checkNow(), delayMs);
      });
    return this.inFlight;
  }
}
