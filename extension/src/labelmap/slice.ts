/** Reading one labelmap slice: the per-image labelmap that belongs to a shown source image. */
import type { CornerstoneLibraries, SegmentationLike, VoxelManagerLike } from '../host/types';

/**
 * The labelmap image id for a source image. Cornerstone 5 keeps labelmaps per image; this lookup
 * works in stack and in MPR (axial) viewports alike.
 */
export function labelmapImageIdFor(
  libs: CornerstoneLibraries,
  segmentation: SegmentationLike,
  sourceImageId: string,
): string | undefined {
  const fromTools = libs.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId?.(
    sourceImageId,
    segmentation.segmentationId,
  );
  if (fromTools?.length) return fromTools[0];
  // Older layouts: the labelmap image at the same position as the referenced source image.
  const data = segmentation.representationData?.Labelmap;
  const index = data?.referencedImageIds?.indexOf(sourceImageId) ?? -1;
  return index >= 0 ? data?.imageIds?.[index] : undefined;
}

export function voxelManagerOf(libs: CornerstoneLibraries, labelmapImageId: string): VoxelManagerLike {
  const image = libs.cornerstone.cache.getImage(labelmapImageId);
  if (!image?.voxelManager) throw new Error(`SAM2: labelmap image ${labelmapImageId} is not loaded`);
  return image.voxelManager;
}

/** A copy of the slice's values (segment index per pixel, row-major). */
export function readLabelmapSlice(voxelManager: VoxelManagerLike, length: number): Uint16Array {
  const data = voxelManager.getScalarData?.() ?? voxelManager.getCompleteScalarDataArray?.();
  if (data && data.length === length) return Uint16Array.from(data);
  const out = new Uint16Array(length);
  for (let i = 0; i < length; i++) out[i] = voxelManager.getAtIndex(i);
  return out;
}

/** Whether any labelmap image of the segmentation holds this segment (a slow scan, used rarely). */
export function segmentHasAnyVoxel(
  libs: CornerstoneLibraries,
  segmentation: SegmentationLike,
  segmentIndex: number,
): boolean {
  for (const id of segmentation.representationData?.Labelmap?.imageIds ?? []) {
    const vm = libs.cornerstone.cache.getImage(id)?.voxelManager;
    const data = vm?.getScalarData?.();
    if (!data) continue;
    for (let i = 0; i < data.length; i++) if (data[i] === segmentIndex) return true;
  }
  return false;
}
