/**
 * Labelmap writing and target selection against fakes of Cornerstone's memo/history and OHIF's
 * segmentation service (the real ones are exercised in the browser tests).
 */
import { getContext } from '../src/contexts';
import type {
  CornerstoneLibraries,
  SegmentationLike,
  ServicesLike,
  VoxelManagerLike,
} from '../src/host/types';
import { readLabelmapSlice } from '../src/labelmap/slice';
import { assertWritable, ensureTarget, findTarget, LockedSegmentError } from '../src/labelmap/target';
import { writeLabelmapSlice } from '../src/labelmap/write';

function voxels(values: number[]): VoxelManagerLike & { data: Uint16Array } {
  const data = Uint16Array.from(values);
  return {
    data,
    getAtIndex: (i) => data[i],
    setAtIndex: (i, v) => {
      data[i] = v;
    },
    getScalarData: () => data,
  };
}

function fakeLibs(images: Record<string, VoxelManagerLike> = {}) {
  const log: string[] = [];
  const libs = {
    cornerstone: {
      cache: { getImage: (id: string) => (images[id] ? { voxelManager: images[id] } : undefined) },
      utilities: {
        HistoryMemo: {
          DefaultHistoryMemo: {
            startGroupRecording: () => log.push('start'),
            endGroupRecording: () => log.push('end'),
            push: () => log.push('push'),
          },
        },
      },
    },
    cornerstoneTools: {
      segmentation: {
        getLabelmapImageIdsForImageId: (imageId: string) => [`lm:${imageId}`],
        triggerSegmentationEvents: {
          triggerSegmentationDataModified: (id: string) => log.push(`modified:${id}`),
        },
      },
      utilities: {
        segmentation: {
          LabelmapMemo: {
            createLabelmapMemo: (segId: string, vm: VoxelManagerLike) => {
              log.push(`memo:${segId}`);
              let changes = 0;
              return {
                voxelManager: {
                  ...vm,
                  setAtIndex: (i: number, v: number) => {
                    changes++;
                    vm.setAtIndex(i, v);
                  },
                },
                commitMemo: () => changes > 0,
              };
            },
          },
        },
      },
    },
  } as unknown as CornerstoneLibraries;
  return { libs, log };
}

describe('writeLabelmapSlice', () => {
  it('writes only changed voxels as one grouped undo step and triggers a re-render', () => {
    const vm = voxels([0, 1, 2, 0]);
    const { libs, log } = fakeLibs();
    const n = writeLabelmapSlice(libs, 'seg', vm, vm.data.slice(), Uint16Array.from([2, 1, 2, 2]));
    expect(n).toBe(2);
    expect(Array.from(vm.data)).toEqual([2, 1, 2, 2]);
    expect(log).toEqual(['start', 'memo:seg', 'push', 'end', 'modified:seg']);
  });

  it('beforeNotify runs after the undo step and before the data event, only when voxels changed', () => {
    const vm = voxels([0, 0]);
    const { libs, log } = fakeLibs();
    writeLabelmapSlice(libs, 'seg', vm, vm.data.slice(), Uint16Array.from([1, 0]), () => log.push('before'));
    expect(log).toEqual(['start', 'memo:seg', 'push', 'end', 'before', 'modified:seg']);
    log.length = 0;
    writeLabelmapSlice(libs, 'seg', vm, vm.data.slice(), Uint16Array.from([1, 0]), () => log.push('before'));
    expect(log).toEqual([]);
  });

  it('does nothing (no undo step) when the slice already matches', () => {
    const vm = voxels([0, 1]);
    const { libs, log } = fakeLibs();
    expect(writeLabelmapSlice(libs, 'seg', vm, vm.data.slice(), Uint16Array.from([0, 1]))).toBe(0);
    expect(log).toEqual([]);
  });

  it('reads a slice copy from the voxel manager', () => {
    const vm = voxels([3, 0, 1]);
    const copy = readLabelmapSlice(vm, 3);
    vm.data[0] = 9;
    expect(Array.from(copy)).toEqual([3, 0, 1]);
  });
});

function fakeSegmentationService(initial?: SegmentationLike) {
  const calls: string[] = [];
  let active = initial;
  const service = {
    getActiveSegmentation: () => active,
    getSegmentation: (id: string) => (active?.segmentationId === id ? active : undefined),
    getNextAvailableSegmentIndex: () => Math.max(0, ...Object.keys(active?.segments ?? {}).map(Number)) + 1,
    addSegment: (_id: string, config: { segmentIndex: number; label: string; color: number[] }) => {
      calls.push(`add:${config.segmentIndex}:${config.label}:${config.color.join(',')}`);
      active!.segments[config.segmentIndex] = { segmentIndex: config.segmentIndex, label: config.label };
    },
    setSegmentLabel: (_id: string, idx: number, label: string) => {
      calls.push(`label:${idx}:${label}`);
      active!.segments[idx]!.label = label;
    },
    setSegmentColor: (vp: string, _id: string, idx: number, color: number[]) =>
      calls.push(`color:${vp}:${idx}:${color.join(',')}`),
    setActiveSegment: (_id: string, idx: number) => calls.push(`active:${idx}`),
    getViewportIdsWithSegmentation: () => ['default'],
  };
  const create = (segments: SegmentationLike['segments']) => {
    active = {
      segmentationId: 'new-seg',
      segments,
      representationData: { Labelmap: { imageIds: ['lm:1'] } },
    };
    return 'new-seg';
  };
  return { service, calls, create };
}

describe('ensureTarget / findTarget', () => {
  const vertebra = getContext('l3-vertebra');

  it('creates a segmentation when there is none and takes over OHIF’s default "Segment 1"', async () => {
    const { service, calls, create } = fakeSegmentationService(undefined);
    const commands: unknown[] = [];
    const commandsManager = {
      runCommand: (name: string, options: unknown) => {
        commands.push([name, options]);
        return create({ 1: { segmentIndex: 1, label: 'Segment 1' } });
      },
    };
    const services = { segmentationService: service } as unknown as ServicesLike;
    const { libs } = fakeLibs();
    expect(findTarget(services, 'default', vertebra)).toBeUndefined();
    const target = await ensureTarget(services, commandsManager, libs, 'default', vertebra);
    expect(commands).toEqual([
      ['createLabelmapForViewport', { viewportId: 'default', options: { label: 'SAM2 segmentation' } }],
    ]);
    expect(target.segmentIndex).toBe(1);
    expect(target.created).toEqual({ replacedLabel: 'Segment 1' });
    expect(calls).toEqual(['label:1:L3 vertebra', 'color:default:1:230,210,160,255', 'active:1']);
  });

  it('takes over a default segment that is already active without making it active again (a render each)', async () => {
    const { service, calls, create } = fakeSegmentationService(undefined);
    const commandsManager = {
      runCommand: () => create({ 1: { segmentIndex: 1, label: 'Segment 1', active: true } }),
    };
    const services = { segmentationService: service } as unknown as ServicesLike;
    await ensureTarget(services, commandsManager, fakeLibs().libs, 'default', vertebra);
    expect(calls).toEqual(['label:1:L3 vertebra', 'color:default:1:230,210,160,255']);
  });

  it('reuses the segment already named after the context', async () => {
    const seg: SegmentationLike = {
      segmentationId: 's',
      segments: { 1: { segmentIndex: 1, label: 'Segment 1' }, 4: { segmentIndex: 4, label: 'L3 vertebra' } },
    };
    const { service, calls } = fakeSegmentationService(seg);
    const services = { segmentationService: service } as unknown as ServicesLike;
    const target = await ensureTarget(
      services,
      { runCommand: () => undefined },
      fakeLibs().libs,
      'default',
      vertebra,
    );
    expect(target.segmentIndex).toBe(4);
    expect(target.created).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('keeps a hand-drawn default segment and adds a new one for the context', async () => {
    const seg: SegmentationLike = {
      segmentationId: 's',
      segments: { 1: { segmentIndex: 1, label: 'Segment 1' } },
      representationData: { Labelmap: { imageIds: ['lm:a'] } },
    };
    const { service, calls } = fakeSegmentationService(seg);
    const services = { segmentationService: service } as unknown as ServicesLike;
    const { libs } = fakeLibs({ 'lm:a': voxels([0, 1, 0]) });
    const target = await ensureTarget(services, { runCommand: () => undefined }, libs, 'default', vertebra);
    expect(target.segmentIndex).toBe(2);
    expect(target.created).toEqual({});
    expect(calls).toEqual(['add:2:L3 vertebra:230,210,160,255']);
  });

  it('takes over an empty default segment of an existing segmentation', async () => {
    const seg: SegmentationLike = {
      segmentationId: 's',
      segments: { 1: { segmentIndex: 1, label: 'Segment 1' } },
      representationData: { Labelmap: { imageIds: ['lm:a'] } },
    };
    const { service } = fakeSegmentationService(seg);
    const services = { segmentationService: service } as unknown as ServicesLike;
    const { libs } = fakeLibs({ 'lm:a': voxels([0, 0, 0]) });
    expect(
      (await ensureTarget(services, { runCommand: () => undefined }, libs, 'default', vertebra)).segmentIndex,
    ).toBe(1);
  });

  it('refuses a locked segment', () => {
    const seg: SegmentationLike = {
      segmentationId: 's',
      segments: { 3: { segmentIndex: 3, label: 'L3 vertebra', locked: true } },
    };
    expect(() => assertWritable({ segmentation: seg, segmentIndex: 3 })).toThrow(LockedSegmentError);
  });
});
