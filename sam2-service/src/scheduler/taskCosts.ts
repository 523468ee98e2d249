/**
 * Measured cost of inference tasks, for admission and Retry-After. Exponentially weighted moving
 * averages (weight 0.3 for the newest run) of the encoder run and of one decoder run, in ms, seeded by
 * the worker's warm-up run so the first estimate is already of this machine and model.
 */
export class TaskCosts {
  encodeMs: number;
  decoderRunMs: number;

  constructor(initial: { encodeMs: number; decoderRunMs: number } = { encodeMs: 2000, decoderRunMs: 100 }) {
    this.encodeMs = initial.encodeMs;
    this.decoderRunMs = initial.decoderRunMs;
  }

  /** Replaces the seed with a worker's warm-up measurement (before any task was measured). */
  seed(encodeMs: number, decoderRunMs: number): void {
    this.encodeMs = encodeMs;
    this.decoderRunMs = decoderRunMs;
  }

  observeEncode(ms: number): void {
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
}

function ewma(previous: number, sample: number): number {
  return 0.7 * previous + 0.3 * sample;
}
