/** `--slices`: which of a structure's labelled slices are evaluated. */
export type SliceSelection = { kind: 'every' } | { kind: 'centre' } | { kind: 'count'; count: number };

export function parseSliceSelection(text: string): SliceSelection {
  if (text === 'every' || text === 'all') return { kind: 'every' };
  if (text === 'centre' || text === 'center') return { kind: 'centre' };
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`--slices must be every, centre or a positive integer, not "${text}"`);
  return { kind: 'count', count };
}

/**
 * The chosen slices among `labelled` (ascending): all; the middle one; or N spread evenly (the
 * centres of N equal parts, so the ends of a structure, where it is smallest, are not over-sampled).
 */
export function selectSlices(labelled: number[], selection: SliceSelection): number[] {
  if (!labelled.length) return [];
  if (selection.kind === 'every') return labelled;
  if (selection.kind === 'centre') return [labelled[Math.floor((labelled.length - 1) / 2)]];
  if (selection.count >= labelled.length) return labelled;
  const n = selection.count;
  return Array.from({ length: n }, (_, i) => labelled[Math.floor(((i + 0.5) * labelled.length) / n)]);
}
