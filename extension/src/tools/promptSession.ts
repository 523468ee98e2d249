/**
 * The prompts of one SAM2 interaction: clicks and a box on one slice, for one segment. They
 * accumulate while the user refines the same result, and reset when the slice, the segment or the
 * labelmap changes underneath (an edit, an undo), or when the user starts over.
 */
import type { PromptBox, PromptPoint, Prompts } from '../api/types';
import type { Point3 } from '../host/types';
import type { WriteMode } from '../labelmap/decision';
import { sameValues } from '../labelmap/decision';

export interface SessionPoint extends PromptPoint {
  world: Point3;
}

export interface SessionBox {
  box: PromptBox;
  /** Corners in world coordinates, to draw the box wherever the view is panned or zoomed. */
  world: [Point3, Point3];
}

export interface SessionKey {
  viewportId: string;
  imageId: string;
  segmentationId: string;
  segmentIndex: number;
}

export interface PromptSession extends SessionKey {
  contextId: string;
  points: SessionPoint[];
  box?: SessionBox;
  /** How results are combined with what the slice held before the interaction (fixed at its start). */
  mode: WriteMode;
  /** The slice before the interaction's first write. */
  baseline: Uint16Array;
  /** The slice as this interaction last wrote it. */
  lastWritten: Uint16Array;
}

export type PromptInput =
  | { kind: 'auto' }
  | { kind: 'point'; x: number; y: number; world: Point3; negative: boolean }
  | { kind: 'box'; box: PromptBox; world: [Point3, Point3] };

export interface PromptSet {
  points: SessionPoint[];
  box?: SessionBox;
}

/** Whether a new prompt continues `session`: same place, and the slice is exactly as it left it. */
export function continuesSession(
  session: PromptSession | undefined,
  key: Partial<SessionKey> & { contextId: string },
  currentSlice: ArrayLike<number> | undefined,
): session is PromptSession {
  return (
    !!session &&
    !!currentSlice &&
    session.viewportId === key.viewportId &&
    session.imageId === key.imageId &&
    session.segmentationId === key.segmentationId &&
    session.segmentIndex === key.segmentIndex &&
    session.contextId === key.contextId &&
    sameValues(currentSlice, session.lastWritten)
  );
}

/**
 * The prompts to send: a click adds a point to those of the continued session, a box replaces its
 * box (the service takes one), and the One-Click button starts over with no prompts (automatic mode).
 */
export function nextPrompts(session: PromptSession | undefined, input: PromptInput): PromptSet {
  if (input.kind === 'auto') return { points: [] };
  const points = session ? [...session.points] : [];
  let box = session?.box;
  if (input.kind === 'point') {
    points.push({ x: input.x, y: input.y, label: input.negative ? 0 : 1, world: input.world });
  } else {
    box = { box: input.box, world: input.world };
  }
  return { points, box };
}

/** The wire form: undefined in automatic mode. */
export function toPrompts(set: PromptSet): Prompts | undefined {
  const prompts: Prompts = {};
  if (set.points.length) prompts.points = set.points.map(({ x, y, label }) => ({ x, y, label }));
  if (set.box) prompts.box = set.box.box;
  return prompts.points || prompts.box ? prompts : undefined;
}
