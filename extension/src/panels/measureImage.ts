/**
 * Body-composition figures of every segment of a segmentation on one source image, read from the
 * viewer (labelmap voxels, pixel values, DICOM geometry) and computed by measurements/.
 */
import { getContextBySegmentLabel, huRangeOf } from '../contexts';
import type { CornerstoneLibraries, SegmentationLike } from '../host/types';
import type { HuRange, Tissue } from '../tissue/huRange';
import { formatHuRange } from '../tissue/huRange';
import { modalityValues } from '../imaging/hu';
import { scalingOf } from '../imaging/pixels';
import { labelmapImageIdFor, readLabelmapSlice } from '../labelmap/slice';
import type { MeasurementRow } from '../measurements/csv';
import { segmentIndicesPresent, segmentStats } from '../measurements/segmentStats';
import { slicePositionMm } from '../measurements/sliceGeometry';
import { skeletalMuscleIndex } from '../measurements/smi';

export interface ModelIdentity {
  name: string | null;
  version: string | null;
}

export interface MeasureOptions {
  huRanges: Readonly<Record<Tissue, HuRange>>;
  /** Patient height in m, when known. */
  heightM?: number;
  /** SAM2 model that wrote into a segment, by `${segmentationId}:${segmentIndex}`. */
  models?: ReadonlyMap<string, ModelIdentity>;
}

export interface ImageMeasurements {
  imageId: string;
  instanceNumber?: number;
  slicePositionMm?: number;
  /** One row per segment with voxels on this image, in segment order. */
  rows: MeasurementRow[];
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Figures of every segment present on `sourceImageId`; undefined when the image or its labelmap is
 * not in the cache, or its geometry lacks a pixel spacing.
 */
export function measureImage(
  libs: CornerstoneLibraries,
  segmentation: SegmentationLike,
  sourceImageId: string,
  options: MeasureOptions,
): ImageMeasurements | undefined {
  const { cornerstone } = libs;
  const image = cornerstone.cache.getImage(sourceImageId);
  const labelmapId = labelmapImageIdFor(libs, segmentation, sourceImageId);
  const labelmapImage = labelmapId ? cornerstone.cache.getImage(labelmapId) : undefined;
  if (!image || !labelmapImage?.voxelManager) return undefined;
  const meta = (type: string) => cornerstone.metaData.get(type, sourceImageId) ?? {};
  const plane = meta('imagePlaneModule');
  const spacing = Array.isArray(plane.pixelSpacing) ? plane.pixelSpacing : [];
  const rowMm = num(plane.rowPixelSpacing) ?? num(spacing[0]);
  const columnMm = num(plane.columnPixelSpacing) ?? num(spacing[1]);
  if (!rowMm || !columnMm) return undefined;

  const n = image.rows * image.columns;
  const labelmap = readLabelmapSlice(labelmapImage.voxelManager, n);
  const indices = segmentIndicesPresent(labelmap);
  const modalityLut = meta('modalityLutModule');
  const hu = indices.length
    ? modalityValues(
        image,
        scalingOf(image, {
          slope: num(modalityLut.rescaleSlope),
          intercept: num(modalityLut.rescaleIntercept),
        }),
      )
    : new Float32Array(0);
  const instanceNumber = num(meta('generalImageModule').instanceNumber);
  const position = slicePositionMm(plane.imagePositionPatient, plane.rowCosines, plane.columnCosines);
  const rows: MeasurementRow[] = [];
  for (const segmentIndex of indices) {
    const segment = segmentation.segments[segmentIndex];
    const label = segment?.label ?? `Segment ${segmentIndex}`;
    const context = getContextBySegmentLabel(label);
    const huRange = context ? huRangeOf(context, options.huRanges) : undefined;
    const stats = segmentStats({ labelmap, segmentIndex, hu, pixelSpacing: { rowMm, columnMm }, huRange });
    const model = options.models?.get(`${segmentation.segmentationId}:${segmentIndex}`);
    const isMuscle = context?.tissue === 'skeletal-muscle';
    rows.push({
      studyInstanceUid: str(meta('generalStudyModule').studyInstanceUID),
      seriesInstanceUid: str(meta('generalSeriesModule').seriesInstanceUID),
      sopInstanceUid: str(meta('sopCommonModule').sopInstanceUID),
      instanceNumber,
      slicePositionMm: position,
      segmentLabel: label,
      segmentIndex,
      areaCm2: stats.areaCm2,
      meanHu: stats.meanHu,
      sdHu: stats.sdHu,
      voxelCount: stats.voxelCount,
      huRange: huRange ? formatHuRange(huRange) : undefined,
      smi: isMuscle ? skeletalMuscleIndex(stats.areaCm2, options.heightM) : undefined,
      heightM: options.heightM,
      modelName: model?.name ?? undefined,
      modelVersion: model?.version ?? undefined,
    });
  }
  return { imageId: sourceImageId, instanceNumber, slicePositionMm: position, rows };
}
