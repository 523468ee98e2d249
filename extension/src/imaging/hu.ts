/** The shown slice's pixels as modality values (HU for CT). */
import type { ImageLike } from './pixels';
import type { ScalingInfo } from './window';

/**
 * Modality values of a single-channel image, row-major (length rows×columns): the stored values with
 * the rescale applied unless the loader already applied it (`scaling.scaled`). DICOM PS3.3 C.11.1.1.2:
 * HU = stored × RescaleSlope + RescaleIntercept.
 */
export function modalityValues(image: ImageLike, scaling: ScalingInfo): Float32Array {
  const data = image.getPixelData();
  const out = new Float32Array(data.length);
  if (scaling.scaled) {
    for (let i = 0; i < data.length; i++) out[i] = data[i];
  } else {
    for (let i = 0; i < data.length; i++) out[i] = data[i] * scaling.slope + scaling.intercept;
  }
  return out;
}
