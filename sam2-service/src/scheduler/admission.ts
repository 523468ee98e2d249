import type { JobQueue, QueuedWork } from './jobQueue';
import type { Priority } from './priority';

export interface AdmissionInput<J extends QueuedWork> {
  priority: Priority;
  /** Arrival order of the job (a reservation's, for a request admitted before its body); default: last. */
  seq?: number;
  /** Estimated ms of the job itself plus the work it will queue after it (an encode's decode). */
  ownMs: number;
  /** ms until the request's time limit. */
  budgetMs: number;
  queue: JobQueue<J>;
  /** Estimated ms still to run of the jobs the workers are running now. */
  runningMs: number;
  /** Workers able to run jobs (at least 1). */
  workers: number;
  /** A worker is idle now: the job will not wait at all. */
  idle: boolean;
  /**
   * Requests admitted before their body was read that have not queued their task yet and will run
   * before this job (higher class, or its class and arrived earlier).
   */
  reserved?: { ms: number; count: number };
  /**
   * Margin between the estimated finish and the time limit (TaskCosts.safetyMs: one job's spread):
   * estimates are averages, and a job admitted at the edge would be refused at dispatch (or time out)
   * whenever the work ahead runs a little slow.
   */
  safetyMs?: number;
  /** SAM2_MAX_QUEUE: most waiting jobs of a class and above. */
  maxQueue: number;
}

export type Admission<J> =
  | { admit: true; waitMs: number; /** a lower-class job to drop to make room */ displace?: J }
  | { admit: false; retryAfterS: number; reason: 'queue_full' | 'too_slow' };

/**
 * Whether a new job can finish within its time limit, with `safetyMs` to spare, behind the work that
 * runs before it (higher classes, and its own class that arrived earlier; lower classes wait for it):
 * admitted when wait + own + safety ≤ budget, wait = (running + queued ahead + reserved ahead) ÷ workers.
 * Refusal is immediate and carries an honest Retry-After: the seconds until enough of the work ahead has
 * run that the same request would be admitted.
 */
export function admit<J extends QueuedWork>(input: AdmissionInput<J>): Admission<J> {
  const { priority, queue, maxQueue } = input;
  const reserved = input.reserved ?? { ms: 0, count: 0 };
  if (input.idle && queue.length === 0 && reserved.count === 0) return { admit: true, waitMs: 0 };
  const workers = Math.max(1, input.workers);
  const waitMs = (input.runningMs + queue.workAheadMs(priority, input.seq) + reserved.ms) / workers;
  // With nothing ahead a retry would be no faster: run it (a job slower than the limit answers 504).
  const excessMs = waitMs + input.ownMs + (input.safetyMs ?? 0) - input.budgetMs;
  if (waitMs > 0 && excessMs > 0) {
    return { admit: false, retryAfterS: toRetryAfter(Math.min(excessMs, waitMs)), reason: 'too_slow' };
  }
  if (queue.countAtOrAbove(priority) + reserved.count >= maxQueue) {
    return { admit: false, retryAfterS: toRetryAfter(waitMs), reason: 'queue_full' };
  }
  if (queue.length >= maxQueue) {
    const displace = queue.displaceable(priority);
    if (!displace) return { admit: false, retryAfterS: toRetryAfter(waitMs), reason: 'queue_full' };
    return { admit: true, waitMs, displace };
  }
  return { admit: true, waitMs };
}

/** Whole seconds, at least 1 (RFC 9110 §10.2.3 delay-seconds). */
export function toRetryAfter(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
