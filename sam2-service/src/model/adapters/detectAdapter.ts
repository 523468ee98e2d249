import type { ModelAdapter, SessionInfo } from './modelAdapter';
import { createOnnxCommunityAdapter, isOnnxCommunity } from './onnxCommunityAdapter';
import { createSamexporterAdapter, isSamexporter } from './samexporterAdapter';

/** Picks the export family from the sessions' tensor names. */
export function detectAdapter(encoder: SessionInfo, decoder: SessionInfo): ModelAdapter {
  if (isSamexporter(encoder, decoder)) return createSamexporterAdapter(encoder, decoder);
  if (isOnnxCommunity(encoder, decoder)) return createOnnxCommunityAdapter(encoder, decoder);
  throw new Error(
    `unsupported SAM2 export: encoder inputs [${encoder.inputNames.join(', ')}], decoder inputs ` +
      `[${decoder.inputNames.join(', ')}]; expected samexporter (image, point_coords) or ` +
      `onnx-community (pixel_values, input_points) names`,
  );
}
