/**
 * What a SAM2 result may do to the target segment on the shown slice. Hand-drawn (or older) voxels
 * of the segment are never overwritten without the user's answer; voxels of other segments are never
 * overwritten at all.
 */

/** How the mask is combined with what the slice already holds. */
export type WriteMode = 'write' | 'replace' | 'add';
export type ConfirmAnswer = 'replace' | 'add' | 'cancel';

/** Whether the slice holds any voxel of this segment. */
export function sliceHasSegment(values: ArrayLike<number>, segmentIndex: number): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] === segmentIndex) return true;
  return false;
}

/**
 * Ask first when the segment already has voxels on the slice, unless the result refines this same
 * SAM2 interaction (then the earlier SAM2 result is replaced and what was there before is kept).
 */
export function decideWrite({
  hasExistingVoxels,
  isRefinement,
}: {
  hasExistingVoxels: boolean;
  isRefinement: boolean;
}): 'write' | 'ask' {
  if (isRefinement) return 'write';
  return hasExistingVoxels ? 'ask' : 'write';
}

/** The confirm dialog's answer as a write mode; undefined = write nothing. */
export function modeForAnswer(answer: ConfirmAnswer | string): WriteMode | undefined {
  if (answer === 'replace') return 'replace';
  if (answer === 'add') return 'add';
  return undefined;
}

/**
 * The slice after the write, computed from `baseline` (the slice before this interaction's first
 * write, so a refinement replaces the earlier SAM2 result rather than piling onto it):
 * - `replace` clears the segment's voxels on the slice first;
 * - `write`/`add` keep them (union with the mask);
 * - mask pixels that belong to another segment stay untouched.
 */
export function computeSliceValues(
  baseline: ArrayLike<number>,
  mask: Uint8Array,
  segmentIndex: number,
  mode: WriteMode,
): Uint16Array {
  if (baseline.length !== mask.length) {
    throw new Error(`Mask has ${mask.length} pixels, the labelmap slice ${baseline.length}`);
  }
  const out = Uint16Array.from(baseline);
  if (mode === 'replace') {
    for (let i = 0; i < out.length; i++) if (out[i] === segmentIndex) out[i] = 0;
  }
  for (let i = 0; i < out.length; i++) {
    if (mask[i] && (out[i] === 0 || out[i] === segmentIndex)) out[i] = segmentIndex;
  }
  return out;
}

/** Indices where the slice must change to become `target`. */
export function changedIndices(current: ArrayLike<number>, target: ArrayLike<number>): number[] {
  const changed: number[] = [];
  for (let i = 0; i < target.length; i++) if (current[i] !== target[i]) changed.push(i);
  return changed;
}

/** Equality of two slices (is the slice still exactly what this interaction last wrote?). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
