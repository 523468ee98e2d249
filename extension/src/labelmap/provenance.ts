import type { CornerstoneLibraries, SegmentationServiceLike } from '../host/types';

/** DICOM SegmentAlgorithmName is an LO: at most 64 characters. */
const maxAlgorithmName = 64;

export interface ModelIdentity {
  name: string | null;
  version: string | null;
}

export function algorithmNameFor(model: ModelIdentity): string {
  return ['SAM2', model.name ?? 'unknown model', model.version ?? '']
    .join(' ')
    .trim()
    .slice(0, maxAlgorithmName);
}

/**
 * Marks a segment SAM2 wrote into as semi-automatic, naming the model, so OHIF's own DICOM SEG export
 * records the provenance (it reads `algorithmType` / `algorithmName` from the segment). Manual edits
 * afterwards keep it semi-automatic, which is what the DICOM term means. Returns true when the segment
 * was updated (a SEGMENTATION_MODIFIED followed).
 */
export function markSam2Provenance(
  libs: CornerstoneLibraries,
  segmentationService: SegmentationServiceLike,
  segmentationId: string,
  segmentIndex: number,
  model: ModelIdentity,
): boolean {
  const segmentation = segmentationService.getSegmentation(segmentationId);
  const segment = segmentation?.segments[segmentIndex];
  const update = libs.cornerstoneTools.segmentation.updateSegmentations;
  if (!segmentation || !segment || !update) return false;
  const algorithmName = algorithmNameFor(model);
  if (segment.algorithmType === 'SEMIAUTOMATIC' && segment.algorithmName === algorithmName) return false;
  update([
    {
      segmentationId,
      payload: {
        segments: {
          ...segmentation.segments,
          [segmentIndex]: { ...segment, algorithmType: 'SEMIAUTOMATIC', algorithmName },
        },
      },
    },
  ]);
  return true;
}
