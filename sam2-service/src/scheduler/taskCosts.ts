/**
 * Measured cost of inference tasks, for admission and Retry-After: exponentially weighted moving
 * averages (weight 0.3 for the newest run) of the encoder task and of one decoder run, in ms of the
 * worker's own time for the task, and of the encode's mean deviation (the same smoothing of
 * |sample − average|, as RFC 6298 §2 does for round-trip times). Seeded by the worker's warm-up run
 * so that the first estimate is already of this machine and model.
 */
export class TaskCosts {
  encodeMs: number;
  decoderRunMs: number;
  /** Mean deviation of the encode time, ms. */
  encodeDeviationMs: number;

  constructor(initial: { encodeMs: number; decoderRunMs: number } = { encodeMs: 2000, decoderRunMs: 100 }) {
    this.encodeMs = initial.encodeMs;
    this.decoderRunMs = initial.decoderRunMs;
    this.encodeDeviationMs = initialDeviation * initial.encodeMs;
  }

  /** Replaces the seed with a worker's warm-up measurement (before any task was measured). */
  seed(encodeMs: number, decoderRunMs: number): void {
    this.encodeMs = encodeMs;
    this.decoderRunMs = decoderRunMs;
    this.encodeDeviationMs = initialDeviation * encodeMs;
  }

  observeEncode(ms: number): void {
    this.encodeDeviationMs = ewma(this.encodeDeviationMs, Math.abs(ms - this.encodeMs));
    this.encodeMs = ewma(this.encodeMs, ms);
  }

  /** `ms` of a decode task that made `runs` decoder runs (post-processing included). */
  observeDecode(ms: number, runs: number): void {
    if (runs > 0) this.decoderRunMs = ewma(this.decoderRunMs, ms / runs);
  }

  /** Estimated ms of a task: an encode, or a decode of `decoderRuns` runs. */
  estimate(work: { kind: 'encode' } | { kind: 'decode'; decoderRuns: number }): number {
    return work.kind === 'encode' ? this.encodeMs : this.decoderRunMs * work.decoderRuns;
  }

  /**
   * The margin admission keeps between an estimated finish and the time limit: one job's spread,
   * 4 mean deviations of the encode time (RFC 6298's 4 × RTTVAR), at least one decoder run.
   */
  safetyMs(): number {
    return Math.max(this.decoderRunMs, 4 * this.encodeDeviationMs);
  }
}

/** Deviation assumed before any encode was measured: 10 % of the warm-up time. */
const initialDeviation = 0.1;

function ewma(previous: number, sample: number): number {
  return 0.7 * previous + 0.3 * sample;
}
