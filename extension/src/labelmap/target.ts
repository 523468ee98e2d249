/**
 * The segment a context writes into: in the viewport's active segmentation, the segment labelled
 * like the context. Created on first use (segmentation included), so nothing is created for a
 * request that is cancelled or fails.
 */
import type { Sam2Context } from '../contexts';
import type {
  CommandsManagerLike,
  CornerstoneLibraries,
  SegmentationLike,
  ServicesLike,
} from '../host/types';
import { activateSegment } from './repaint';
import { segmentHasAnyVoxel } from './slice';

export interface Target {
  segmentation: SegmentationLike;
  segmentIndex: number;
  /**
   * Set when ensureTarget made this segment now: added, or taken over from OHIF's default segment
   * (`replacedLabel` is the label it had). Such a segment needs the SegmentGuard (see segmentGuard.ts).
   */
  created?: { replacedLabel?: string };
}

/** OHIF names new segments "Segment <n>" (it adds "Segment 1" to every new segmentation). */
const DEFAULT_SEGMENT_LABEL = /^Segment \d+$/;

export class LockedSegmentError extends Error {}

function segmentsOf(segmentation: SegmentationLike) {
  return Object.values(segmentation.segments).filter((s): s is NonNullable<typeof s> => !!s);
}

/** The existing target, without creating anything; undefined when it does not exist yet. */
export function findTarget(
  services: ServicesLike,
  viewportId: string,
  context: Sam2Context,
): Target | undefined {
  const segmentation = services.segmentationService.getActiveSegmentation(viewportId);
  if (!segmentation) return undefined;
  const segment = segmentsOf(segmentation).find((s) => s.label === context.segmentLabel);
  return segment ? { segmentation, segmentIndex: segment.segmentIndex } : undefined;
}

function styleSegment(
  services: ServicesLike,
  segmentationId: string,
  segmentIndex: number,
  context: Sam2Context,
) {
  const { segmentationService } = services;
  segmentationService.setSegmentLabel(segmentationId, segmentIndex, context.segmentLabel);
  const viewportIds = segmentationService.getViewportIdsWithSegmentation?.(segmentationId) ?? [];
  for (const viewportId of viewportIds) {
    segmentationService.setSegmentColor(viewportId, segmentationId, segmentIndex, context.color);
  }
}

/**
 * The target, created when missing: a labelmap segmentation for the viewport when it has none, and a
 * segment named after the context. OHIF's default "Segment 1" is taken over (renamed and recoloured)
 * when it is the only segment and still empty, instead of leaving an empty stray segment behind.
 */
export async function ensureTarget(
  services: ServicesLike,
  commandsManager: CommandsManagerLike,
  libs: CornerstoneLibraries,
  viewportId: string,
  context: Sam2Context,
): Promise<Target> {
  const { segmentationService } = services;
  const existing = findTarget(services, viewportId, context);
  if (existing) return existing;

  let segmentation = segmentationService.getActiveSegmentation(viewportId) ?? undefined;
  let createdNow = false;
  if (!segmentation) {
    const segmentationId = (await commandsManager.runCommand('createLabelmapForViewport', {
      viewportId,
      options: { label: 'SAM2 segmentation' },
    })) as string | undefined;
    segmentation =
      (segmentationId && segmentationService.getSegmentation(segmentationId)) ||
      segmentationService.getActiveSegmentation(viewportId) ||
      undefined;
    if (!segmentation) throw new Error('SAM2: could not create a segmentation for this viewport');
    createdNow = true;
  }

  const segments = segmentsOf(segmentation);
  const lone = segments.length === 1 ? segments[0] : undefined;
  if (
    lone &&
    DEFAULT_SEGMENT_LABEL.test(lone.label) &&
    (createdNow || !segmentHasAnyVoxel(libs, segmentation, lone.segmentIndex))
  ) {
    const replacedLabel = lone.label;
    styleSegment(services, segmentation.segmentationId, lone.segmentIndex, context);
    activateSegment(segmentationService, segmentation.segmentationId, lone.segmentIndex);
    return { segmentation, segmentIndex: lone.segmentIndex, created: { replacedLabel } };
  }

  const segmentIndex = segmentationService.getNextAvailableSegmentIndex(segmentation.segmentationId);
  segmentationService.addSegment(segmentation.segmentationId, {
    segmentIndex,
    label: context.segmentLabel,
    color: context.color,
    active: true,
  });
  return { segmentation, segmentIndex, created: {} };
}

/** Refuses to write into a locked segment (OHIF's lock means "do not edit"). */
export function assertWritable(target: Target): void {
  const segment = target.segmentation.segments[target.segmentIndex];
  if (segment?.locked) throw new LockedSegmentError(`Segment "${segment.label}" is locked`);
}
