/**
 * Where a segment of one source image lies in a DICOM SEG (naturalized dataset): its 1-based frame
 * number, read from the Per-Frame Functional Groups (PS3.3 C.7.6.16.2: Derivation Image → Source Image
 * Sequence names the source instance; Segment Identification names the segment, absent in a LABELMAP
 * SEG, whose frames carry every segment of their slice).
 */

type Item = Record<string, unknown>;

/** A naturalized sequence is an array, or one item when dcmjs collapsed it. */
function items(value: unknown): Item[] {
  if (Array.isArray(value)) return value as Item[];
  return value && typeof value === 'object' ? [value as Item] : [];
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function sourceInstancesOf(frame: Item): string[] {
  return items(frame.DerivationImageSequence).flatMap((derivation) =>
    items(derivation.SourceImageSequence).map((s) => String(s.ReferencedSOPInstanceUID ?? '')),
  );
}

function segmentOf(frame: Item): number | undefined {
  const id = items(frame.SegmentIdentificationSequence)[0];
  const value = id ? Number(first(id.ReferencedSegmentNumber)) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The 1-based number of the frame of `seg` derived from `sopInstanceUid` that holds `segmentNumber`,
 * or undefined when the SEG has no such frame.
 */
export function segFrameNumber(seg: Item, sopInstanceUid: string, segmentNumber: number): number | undefined {
  const frames = items(seg.PerFrameFunctionalGroupsSequence);
  for (let i = 0; i < frames.length; i++) {
    if (!sourceInstancesOf(frames[i]).includes(sopInstanceUid)) continue;
    const segment = segmentOf(frames[i]);
    if (segment === undefined || segment === segmentNumber) return i + 1;
  }
  return undefined;
}
