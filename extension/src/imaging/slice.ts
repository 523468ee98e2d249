/** What the active viewport shows: the slice's image, its identity and the window the user sees. */
import type { SliceContextFields } from '../api/types';
import type { CachedImage, CornerstoneLibraries, DisplaySetLike, ViewportLike } from '../host/types';
import { photometricOf, scalingOf } from './pixels';
import type { ScalingInfo, ViewedWindow } from './window';
import { displayedInvert, voiLutFunctionOf, windowFromVoiRange } from './window';

export class NoImageError extends Error {}

export interface SliceInfo {
  viewportId: string;
  imageId: string;
  /** Position of the image in the series (0-based). */
  sliceIndex: number;
  width: number;
  height: number;
  image: CachedImage;
  scaling: ScalingInfo;
  /** The modality-unit rescale from the DICOM header, used when the loader did not pre-scale. */
  rescaleFallback: { slope?: number; intercept?: number };
  /** The window on screen, with the VOI LUT function it is drawn with. */
  viewedWindow?: ViewedWindow;
  /** Photometric Interpretation from the DICOM header. */
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  /** Low values shown bright (the viewport's Invert, as on screen); undefined when it does not say. */
  invert?: boolean;
  identity: SliceContextFields;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

export function readSlice(
  libs: CornerstoneLibraries,
  viewport: ViewportLike,
  displaySet?: DisplaySetLike,
): SliceInfo {
  const imageId = viewport.getCurrentImageId();
  if (!imageId) throw new NoImageError('No image loaded');
  const image = libs.cornerstone.cache.getImage(imageId);
  if (!image) throw new NoImageError('The image is still loading');
  const meta = (type: string) => libs.cornerstone.metaData.get(type, imageId) ?? {};
  const modalityLut = meta('modalityLutModule');
  const rescaleFallback = {
    slope: num(modalityLut.rescaleSlope),
    intercept: num(modalityLut.rescaleIntercept),
  };
  const scaling = scalingOf(image, rescaleFallback);

  const imageIds = displaySet?.imageIds ?? viewport.getImageIds?.();
  const byPosition = imageIds ? imageIds.indexOf(imageId) : -1;
  const sliceIndex = byPosition >= 0 ? byPosition : Math.max(0, viewport.getCurrentImageIdIndex?.() ?? 0);

  const properties = viewport.getProperties() ?? {};
  return {
    viewportId: viewport.id,
    imageId,
    sliceIndex,
    width: image.columns,
    height: image.rows,
    image,
    scaling,
    rescaleFallback,
    viewedWindow: windowFromVoiRange(
      properties.voiRange,
      scaling,
      voiLutFunctionOf(properties.VOILUTFunction),
    ),
    photometric: photometricOf(meta('imagePixelModule').photometricInterpretation),
    invert: displayedInvert(properties.invert, scaling),
    identity: {
      patient_id: str(meta('patientModule').patientId),
      study_uid: str(meta('generalStudyModule').studyInstanceUID) ?? displaySet?.StudyInstanceUID,
      series_uid: str(meta('generalSeriesModule').seriesInstanceUID) ?? displaySet?.SeriesInstanceUID,
      sop_uid: str(meta('sopCommonModule').sopInstanceUID),
      slice_index: sliceIndex,
    },
  };
}
