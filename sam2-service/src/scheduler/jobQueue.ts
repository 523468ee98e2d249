import { type Priority, outranks, priorityRank } from './priority';

/** What the scheduler needs to know of a waiting job. */
export interface QueuedWork {
  priority: Priority;
  /** Arrival order: equal priorities run first come, first served. */
  seq: number;
  /** Estimated run time, ms (TaskCosts). */
  estimateMs: number;
  /** Estimated ms of the work its caller queues after it (an encode's decode). */
  followUpMs?: number;
}

/** Whether `job` runs before a job of `priority` that arrived as `seq`. */
export function runsBefore(
  job: { priority: Priority; seq: number },
  priority: Priority,
  seq: number,
): boolean {
  return outranks(job.priority, priority) || (job.priority === priority && job.seq < seq);
}

/**
 * Waiting jobs ordered by priority class, then arrival. A job's priority may be raised while it waits
 * (a speculative encode taken over by a click); the order is computed when a job is taken, so a plain
 * array is enough for the few dozen jobs a queue ever holds.
 */
export class JobQueue<J extends QueuedWork> {
  private readonly jobs: J[] = [];

  get length(): number {
    return this.jobs.length;
  }

  push(job: J): void {
    this.jobs.push(job);
  }

  /** Removes `job`; false when it was not waiting (already taken or removed). */
  remove(job: J): boolean {
    const index = this.jobs.indexOf(job);
    if (index < 0) return false;
    this.jobs.splice(index, 1);
    return true;
  }

  /** Removes and returns the most urgent job: highest class, then oldest. */
  takeNext(): J | undefined {
    let best: J | undefined;
    for (const job of this.jobs) {
      if (
        !best ||
        outranks(job.priority, best.priority) ||
        (job.priority === best.priority && job.seq < best.seq)
      )
        best = job;
    }
    if (best) this.remove(best);
    return best;
  }

  /**
   * Estimated ms of waiting work that runs before a job of `priority` that arrived as `seq` (default:
   * a newcomer): higher classes, and its own class that arrived before it; with the work each queues
   * after it (an encode's decode).
   */
  workAheadMs(priority: Priority, seq = Number.POSITIVE_INFINITY): number {
    return this.jobs.reduce(
      (sum, j) => (runsBefore(j, priority, seq) ? sum + j.estimateMs + (j.followUpMs ?? 0) : sum),
      0,
    );
  }

  /** Waiting jobs a new job of `priority` may not displace (its class and above). */
  countAtOrAbove(priority: Priority): number {
    const rank = priorityRank[priority];
    return this.jobs.filter((j) => priorityRank[j.priority] <= rank).length;
  }

  /** The job to drop for a job of `priority` when the queue is full: the newest of the lowest class below it. */
  displaceable(priority: Priority): J | undefined {
    let worst: J | undefined;
    for (const job of this.jobs) {
      if (!outranks(priority, job.priority)) continue;
      if (
        !worst ||
        outranks(worst.priority, job.priority) ||
        (job.priority === worst.priority && job.seq > worst.seq)
      )
        worst = job;
    }
    return worst;
  }

  /** Removes and returns every waiting job. */
  drain(): J[] {
    return this.jobs.splice(0);
  }

  [Symbol.iterator](): Iterator<J> {
    return this.jobs[Symbol.iterator]();
  }
}
