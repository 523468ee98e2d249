export const modelFamilies = ['samexporter', 'onnx-community'] as const;
export type ModelFamily = (typeof modelFamilies)[number];

export interface Point {
  x: number;
  y: number;
  /** 1 = on the structure, 0 = not on it. */
  label: 0 | 1;
}

export type Box = [number, number, number, number];

/** Prompts in some pixel space: slice pixels from the API, model-input pixels (1024²) for the adapters. */
export interface Prompts {
  points: Point[];
  box?: Box;
}

/** One encoder output kept for the decoder. */
export interface EmbeddingTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}
