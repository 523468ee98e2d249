import type { CornerstoneLibraries, SegmentationLike, SegmentationServiceLike } from '../src/host/types';
import { algorithmNameFor, markSam2Provenance } from '../src/labelmap/provenance';

/** Fakes of the host's segmentation state: only what provenance marking touches. */
function setup(segment: Record<string, unknown> = {}) {
  const segmentation: SegmentationLike = {
    segmentationId: 'seg-1',
    segments: {
      1: { segmentIndex: 1, label: 'Manual' },
      2: { segmentIndex: 2, label: 'L3 vertebra', ...segment },
    },
  };
  const updates: unknown[] = [];
  const libs = {
    cornerstoneTools: { segmentation: { updateSegmentations: (u: unknown[]) => updates.push(...u) } },
  } as unknown as CornerstoneLibraries;
  const service = { getSegmentation: () => segmentation } as unknown as SegmentationServiceLike;
  return { libs, service, updates };
}

describe('SAM2 provenance on the segment (read by OHIF DICOM SEG export)', () => {
  const model = { name: 'sam2.1-hiera-tiny', version: '0123456789abcdef' };

  it('names the model and version within the 64 characters of SegmentAlgorithmName', () => {
    expect(algorithmNameFor(model)).toBe('SAM2 sam2.1-hiera-tiny 0123456789abcdef');
    expect(algorithmNameFor({ name: 'x'.repeat(100), version: 'v' })).toHaveLength(64);
    expect(algorithmNameFor({ name: null, version: null })).toBe('SAM2 unknown model');
  });

  it('marks only the written segment SEMIAUTOMATIC and keeps the others', () => {
    const { libs, service, updates } = setup();
    markSam2Provenance(libs, service, 'seg-1', 2, model);
    expect(updates).toEqual([
      {
        segmentationId: 'seg-1',
        payload: {
          segments: {
            1: { segmentIndex: 1, label: 'Manual' },
            2: {
              segmentIndex: 2,
              label: 'L3 vertebra',
              algorithmType: 'SEMIAUTOMATIC',
              algorithmName: 'SAM2 sam2.1-hiera-tiny 0123456789abcdef',
            },
          },
        },
      },
    ]);
  });

  it('does nothing when the segment already carries the same provenance', () => {
    const { libs, service, updates } = setup({
      algorithmType: 'SEMIAUTOMATIC',
      algorithmName: 'SAM2 sam2.1-hiera-tiny 0123456789abcdef',
    });
    markSam2Provenance(libs, service, 'seg-1', 2, model);
    expect(updates).toHaveLength(0);
  });
});
