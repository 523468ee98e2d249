/** What every step of a run gets from the controller, and what a run ends with. */
import type { Sam2Config } from '../config';
import type { CommandsManagerLike, CornerstoneLibraries, ServicesLike } from '../host/types';
import type { ClickTimings } from './clickTimer';

export interface RunEnv {
  services: ServicesLike;
  libs: CornerstoneLibraries;
  commandsManager: CommandsManagerLike;
  config: Sam2Config;
}

/** Outcome of one run, for logs and tests driving the viewer (window.sam2.lastOutcome). */
export interface RunOutcome {
  status: 'written' | 'unchanged' | 'cancelled' | 'declined' | 'empty' | 'error' | 'skipped';
  voxels?: number;
  score?: number;
  elapsedMs?: number;
  cached?: boolean;
  /** The service reused this slice's embedding (a speculative encode or an earlier click made it). */
  embeddingCached?: boolean;
  /** Only the image_id went up, no pixels. */
  sentImageId?: boolean;
  /** Where the time of the click went (docs/performance.md "Browser share of a click"). */
  timings?: ClickTimings;
  /** A muscle One-Click: the muscle groups whose prompt gave a mask (e.g. 'psoas-left'). */
  groups?: string[];
  error?: string;
}

/** A step either hands its result on or ends the run with an outcome. */
export type StepResult<T> = { ok: true; value: T } | { ok: false; outcome: RunOutcome };

export const next = <T>(value: T): StepResult<T> => ({ ok: true, value });
export const stop = <T>(outcome: RunOutcome): StepResult<T> => ({ ok: false, outcome });
