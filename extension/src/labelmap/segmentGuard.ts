/**
 * Keeps the segments SAM2 creates (or takes over) in their segmentation.
 *
 * Why: OHIF 3.13 recomputes segment statistics about 1 s after a labelmap change
 * (extensions/cornerstone/src/utils/segmentationHandlers.ts, setupSegmentationDataModifiedHandler:
 * subscribeDebounced(SEGMENTATION_DATA_MODIFIED, …, 1000)). The handler takes the segmentation as it is,
 * awaits Cornerstone's statistics worker, then writes that earlier copy's `segments` back through
 * addOrUpdateSegmentation → updateSegmentations, which replaces the segment list wholesale (Cornerstone
 * deep-clones its state on every update, so the copy is a stale snapshot). A segment added, or OHIF's
 * "Segment 1" renamed, while the worker ran is undone by that write-back, although its voxels stay.
 *
 * The guard listens to SEGMENTATION_MODIFIED (dispatched synchronously by that write-back) and puts a
 * protected segment back when it went missing while the labelmap still holds its voxels: OHIF's own
 * segment deletion clears the voxels first (Cornerstone removeSegment → clearSegmentValue), so a missing
 * segment with voxels is never the user's doing. A label reverted to the one SAM2 replaced is restored
 * only within `labelRevertWindowMs` of the change (a late rename is the user's).
 */
import type { CornerstoneLibraries, ServicesLike, Subscription } from '../host/types';
import { segmentHasAnyVoxel } from './slice';

export interface ProtectedSegment {
  segmentationId: string;
  segmentIndex: number;
  label: string;
  /** RGBA 0-255. */
  color: number[];
  /** The label SAM2 replaced when it took over an existing segment (OHIF's "Segment 1"). */
  replacedLabel?: string;
}

interface Entry extends ProtectedSegment {
  protectedAt: number;
}

/** A stale write-back lands one statistics computation after the change: seconds, even on a slow PC. */
const LABEL_REVERT_WINDOW_MS = 30000;

export class SegmentGuard {
  private readonly entries = new Map<string, Entry>();
  private subscription?: Subscription;
  /** Restorations so far (read by the e2e tests through window.sam2). */
  restored = 0;

  constructor(
    private readonly getServices: () => ServicesLike,
    private readonly libs: () => CornerstoneLibraries,
    private readonly now: () => number = () => Date.now(),
    private readonly labelRevertWindowMs = LABEL_REVERT_WINDOW_MS,
  ) {}

  start(): void {
    if (this.subscription) return;
    const { segmentationService } = this.getServices();
    this.subscription = segmentationService.subscribe(
      segmentationService.EVENTS.SEGMENTATION_MODIFIED,
      (payload) => this.check((payload as { segmentationId?: string } | undefined)?.segmentationId),
    );
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.entries.clear();
  }

  protect(segment: ProtectedSegment): void {
    this.entries.set(key(segment.segmentationId, segment.segmentIndex), {
      ...segment,
      protectedAt: this.now(),
    });
  }

  /** Repairs the protected segments of one segmentation (all when no id is given). */
  check(segmentationId?: string): void {
    for (const [k, entry] of [...this.entries]) {
      if (segmentationId && entry.segmentationId !== segmentationId) continue;
      if (!this.repair(entry)) this.entries.delete(k);
    }
  }

  /** Returns false when the entry is no longer worth keeping (segmentation gone, segment deleted). */
  private repair(entry: Entry): boolean {
    const { segmentationService } = this.getServices();
    const segmentation = segmentationService.getSegmentation(entry.segmentationId);
    if (!segmentation) return false;
    const segment = segmentation.segments[entry.segmentIndex];
    if (!segment) {
      if (!segmentHasAnyVoxel(this.libs(), segmentation, entry.segmentIndex)) return false;
      this.restored++;
      segmentationService.addSegment(entry.segmentationId, {
        segmentIndex: entry.segmentIndex,
        label: entry.label,
        color: entry.color,
        active: true,
      });
      return true;
    }
    if (segment.label === entry.label) return true;
    const fresh = this.now() - entry.protectedAt <= this.labelRevertWindowMs;
    if (fresh && entry.replacedLabel !== undefined && segment.label === entry.replacedLabel) {
      this.restored++;
      segmentationService.setSegmentLabel(entry.segmentationId, entry.segmentIndex, entry.label);
      segmentationService.setActiveSegment(entry.segmentationId, entry.segmentIndex);
      return true;
    }
    // Renamed by the user: follow the new name.
    entry.label = segment.label;
    return true;
  }
}

function key(segmentationId: string, segmentIndex: number): string {
  return `${segmentationId}\u0000${segmentIndex}`;
}
