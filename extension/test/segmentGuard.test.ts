/**
 * SegmentGuard against a small in-memory stand-in for OHIF's segmentation service that replays what
 * OHIF 3.13's statistics handler does: write back a segment list copied before a segment was added.
 * The real host is exercised by e2e/tests/contextSwitchRace.test.ts.
 */
import type { CornerstoneLibraries, SegmentLike, ServicesLike } from '../src/host/types';
import { SegmentGuard } from '../src/labelmap/segmentGuard';

type Segments = Record<string, SegmentLike | undefined>;

function host(labelmap: number[]) {
  let segments: Segments = { 1: { segmentIndex: 1, label: 'L3 vertebra', active: true } };
  const listeners: Array<(p: unknown) => void> = [];
  const calls: string[] = [];
  const modified = () => listeners.forEach((l) => l({ segmentationId: 's' }));
  const segmentationService = {
    EVENTS: { SEGMENTATION_MODIFIED: 'modified' },
    subscribe: (_e: string, cb: (p: unknown) => void) => {
      listeners.push(cb);
      return { unsubscribe: () => listeners.splice(listeners.indexOf(cb), 1) };
    },
    getSegmentation: (id: string) =>
      id === 's'
        ? { segmentationId: 's', segments, representationData: { Labelmap: { imageIds: ['lm:1'] } } }
        : undefined,
    addSegment: (
      _id: string,
      c: { segmentIndex: number; label: string; color: number[]; active: boolean },
    ) => {
      calls.push(`add:${c.segmentIndex}:${c.label}:${c.color.join(',')}:${c.active}`);
      segments = { ...segments, [c.segmentIndex]: { segmentIndex: c.segmentIndex, label: c.label } };
      modified();
    },
    setSegmentLabel: (_id: string, index: number, label: string) => {
      calls.push(`label:${index}:${label}`);
      segments = { ...segments, [index]: { ...segments[index]!, label } };
      modified();
    },
    setActiveSegment: (_id: string, index: number) => calls.push(`active:${index}`),
  };
  const services = { segmentationService } as unknown as ServicesLike;
  const libs = {
    cornerstone: { cache: { getImage: () => ({ voxelManager: { getScalarData: () => labelmap } }) } },
  } as unknown as CornerstoneLibraries;
  return {
    services,
    libs,
    calls,
    labelmap,
    snapshot: () => ({ ...segments }),
    /** What OHIF's statistics handler does when its computation ends: an earlier copy written back. */
    writeBack: (copy: Segments) => {
      segments = copy;
      modified();
    },
    segments: () => segments,
  };
}

const muscle = {
  segmentationId: 's',
  segmentIndex: 2,
  label: 'Skeletal muscle (L3)',
  color: [220, 40, 40, 255],
};

describe('SegmentGuard', () => {
  it('puts back a segment that a stale segment-list write-back dropped while its voxels remain', () => {
    const h = host([0, 1, 2, 2]);
    const guard = new SegmentGuard(
      () => h.services,
      () => h.libs,
    );
    guard.start();
    const before = h.snapshot(); // the statistics handler copies the segmentation…
    h.services.segmentationService.addSegment('s', { ...muscle, active: true }); // …SAM2 adds a segment…
    guard.protect(muscle);
    h.calls.length = 0;
    h.writeBack(before); // …and the handler writes its copy back.
    expect(h.calls).toEqual(['add:2:Skeletal muscle (L3):220,40,40,255:true']);
    expect(h.segments()[2]?.label).toBe('Skeletal muscle (L3)');
    expect(h.segments()[1]?.label).toBe('L3 vertebra');
    expect(guard.restored).toBe(1);
  });

  it('lets the user delete the segment (OHIF clears its voxels first) and forgets it', () => {
    const h = host([0, 1, 2, 2]);
    const guard = new SegmentGuard(
      () => h.services,
      () => h.libs,
    );
    guard.start();
    h.services.segmentationService.addSegment('s', { ...muscle, active: true });
    guard.protect(muscle);
    h.calls.length = 0;
    h.labelmap.fill(0, 2); // removeSegment → clearSegmentValue
    const { 2: _removed, ...rest } = h.segments();
    h.writeBack(rest);
    expect(h.calls).toEqual([]);
    h.labelmap[3] = 2; // even if voxels of index 2 come back later, the forgotten entry stays forgotten
    h.writeBack(rest);
    expect(h.calls).toEqual([]);
  });

  it('restores a taken-over label reverted by the write-back, but follows a later rename by the user', () => {
    let now = 1000;
    const h = host([1, 1, 0, 0]);
    const guard = new SegmentGuard(
      () => h.services,
      () => h.libs,
      () => now,
      5000,
    );
    guard.start();
    h.writeBack({ 1: { segmentIndex: 1, label: 'Segment 1' } });
    const before = h.snapshot();
    h.services.segmentationService.setSegmentLabel('s', 1, 'L3 vertebra');
    guard.protect({ ...muscle, segmentIndex: 1, label: 'L3 vertebra', replacedLabel: 'Segment 1' });
    h.calls.length = 0;
    h.writeBack(before);
    expect(h.calls).toEqual(['label:1:L3 vertebra', 'active:1']);

    // Later, the user renames it: that is kept, and followed.
    now += 6000;
    h.calls.length = 0;
    h.services.segmentationService.setSegmentLabel('s', 1, 'Segment 1');
    expect(h.calls).toEqual(['label:1:Segment 1']);
    expect(h.segments()[1]?.label).toBe('Segment 1');
  });

  it('stops listening on stop()', () => {
    const h = host([0, 2]);
    const guard = new SegmentGuard(
      () => h.services,
      () => h.libs,
    );
    guard.start();
    const before = h.snapshot();
    h.services.segmentationService.addSegment('s', { ...muscle, active: true });
    guard.protect(muscle);
    guard.stop();
    h.calls.length = 0;
    h.writeBack(before);
    expect(h.calls).toEqual([]);
  });
});
