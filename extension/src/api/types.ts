/** Wire types of the SAM2 service API (docs/api.md, sam2-service/openapi.json). */

export type ImageType = 'int16' | 'uint16' | 'float32' | 'uint8';
export type Photometric = 'MONOCHROME1' | 'MONOCHROME2';
/** DICOM VOI LUT Function (0028,1056) the window is drawn with (PS3.3 C.11.2.1.2). */
export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface PromptPoint {
  x: number;
  y: number;
  /** 1 = on the structure, 0 = not on it. */
  label: 0 | 1;
}

/** [x0, y0, x1, y1] in slice pixel coordinates, x0 < x1, y0 < y1. */
export type PromptBox = [number, number, number, number];

export interface Prompts {
  points?: PromptPoint[];
  box?: PromptBox;
}

/** Pixel part of a request: either the pixels or the id of a slice the service already encoded. */
export interface PixelPayload {
  image_data: string;
  image_type: ImageType;
  width: number;
  height: number;
  rescale: { slope: number; intercept: number };
  window?: { center: number; width: number; voi_lut_function?: VoiLutFunction };
  photometric?: Photometric;
  /** The viewer shows the windowed values inverted (low values bright); absent: MONOCHROME1 is. */
  invert?: boolean;
}

export interface SliceContextFields {
  patient_id?: string;
  study_uid?: string;
  series_uid?: string;
  sop_uid?: string;
  slice_index?: number;
}

export interface SegmentRequest extends Partial<PixelPayload>, SliceContextFields {
  image_id?: string;
  prompts?: Prompts;
  multimask?: boolean;
  max_masks?: number;
}

export interface Rle {
  /** [height, width] */
  size: [number, number];
  /** Column-major run lengths, starting with a run of zeros. */
  counts: number[];
}

export interface MaskResult {
  rle: Rle;
  score: number;
  area: number;
  bbox: [number, number, number, number] | null;
  stability?: number;
}

export interface SegmentResponse {
  masks: MaskResult[];
  mode: 'prompt' | 'automatic';
  image_id: string;
  processing_time_ms: number;
  cached: boolean;
  embedding_cached: boolean;
  model: { name: string; family: string; version: string };
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
