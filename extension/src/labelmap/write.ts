/**
 * Writes a computed slice into the labelmap as ONE undo step, through Cornerstone's labelmap memo and
 * default history (what OHIF's Undo/Redo buttons drive), then tells every viewport to re-render it.
 */
import type { CornerstoneLibraries, LabelmapMemoLike, VoxelManagerLike } from '../host/types';
import { changedIndices } from './decision';

function createMemo(
  libs: CornerstoneLibraries,
  segmentationId: string,
  vm: VoxelManagerLike,
): LabelmapMemoLike {
  const seg = libs.cornerstoneTools.utilities.segmentation;
  const create = seg.LabelmapMemo?.createLabelmapMemo ?? seg.createLabelmapMemo;
  if (!create) throw new Error('SAM2: Cornerstone labelmap memo API not found');
  return create(segmentationId, vm);
}

/**
 * Returns the number of voxels changed (0 = nothing written, no undo step). `beforeNotify` runs after
 * the undo step is recorded and before the data-modified event, only when voxels changed (segment
 * state that must reach the same repaint: see repaint.ts).
 */
export function writeLabelmapSlice(
  libs: CornerstoneLibraries,
  segmentationId: string,
  voxelManager: VoxelManagerLike,
  current: ArrayLike<number>,
  target: ArrayLike<number>,
  beforeNotify?: () => void,
): number {
  const indices = changedIndices(current, target);
  if (!indices.length) return 0;
  const history = libs.cornerstone.utilities.HistoryMemo.DefaultHistoryMemo;
  // A group makes everything below one undo step, whatever the memo records internally.
  history.startGroupRecording();
  try {
    const memo = createMemo(libs, segmentationId, voxelManager);
    for (const i of indices) memo.voxelManager.setAtIndex(i, target[i]);
    if (memo.commitMemo()) history.push(memo);
  } finally {
    history.endGroupRecording();
  }
  beforeNotify?.();
  libs.cornerstoneTools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
    segmentationId,
  );
  return indices.length;
}
