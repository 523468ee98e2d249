/**
 * Registry of downloadable SAM2 ONNX exports. Data only: the fetch logic lives in fetchVariant.ts.
 *
 * Paths are relative to the hub repo root, and files keep them in the target directory, so an
 * external-data file sits exactly where its .onnx graph expects it (same folder, same base name).
 */

export type VariantFamily = 'onnx-community' | 'samexporter';

export interface VariantSpec {
  /** Name used on the command line and written to model.json. */
  name: string;
  family: VariantFamily;
  /** Hub repository, `owner/name`. */
  repo: string;
  /** Branch, tag or commit; `--revision` overrides it. */
  revision: string;
  /** Repo path of the image encoder graph. */
  encoder: string;
  /** Repo path of the prompt encoder + mask decoder graph. */
  decoder: string;
  /** Further files the graphs need at load time (ONNX external data), fetched next to them. */
  extraFiles: readonly string[];
  licence: 'Apache-2.0';
  /** Backbone size label: tiny, small, base-plus, large. */
  variant: string;
}

export const DEFAULT_VARIANT = 'sam2.1-hiera-tiny';

export const VARIANTS: readonly VariantSpec[] = [
  // SAM 2.1, transformers.js-style exports: weights live in `<graph>.onnx_data` beside a small graph
  // file that names it, and the runtime resolves that name relative to the .onnx file.
  {
    name: 'sam2.1-hiera-tiny',
    family: 'onnx-community',
    repo: 'onnx-community/sam2.1-hiera-tiny-ONNX',
    revision: 'main',
    encoder: 'onnx/vision_encoder.onnx',
    decoder: 'onnx/prompt_encoder_mask_decoder.onnx',
    extraFiles: ['onnx/vision_encoder.onnx_data', 'onnx/prompt_encoder_mask_decoder.onnx_data'],
    licence: 'Apache-2.0',
    variant: 'tiny',
  },
  {
    name: 'sam2.1-hiera-small',
    family: 'onnx-community',
    repo: 'onnx-community/sam2.1-hiera-small-ONNX',
    revision: 'main',
    encoder: 'onnx/vision_encoder.onnx',
    decoder: 'onnx/prompt_encoder_mask_decoder.onnx',
    extraFiles: ['onnx/vision_encoder.onnx_data', 'onnx/prompt_encoder_mask_decoder.onnx_data'],
    licence: 'Apache-2.0',
    variant: 'small',
  },
  {
    name: 'sam2.1-hiera-base-plus',
    family: 'onnx-community',
    repo: 'onnx-community/sam2.1-hiera-base-plus-ONNX',
    revision: 'main',
    encoder: 'onnx/vision_encoder.onnx',
    decoder: 'onnx/prompt_encoder_mask_decoder.onnx',
    extraFiles: ['onnx/vision_encoder.onnx_data', 'onnx/prompt_encoder_mask_decoder.onnx_data'],
    licence: 'Apache-2.0',
    variant: 'base-plus',
  },
  {
    name: 'sam2.1-hiera-large',
    family: 'onnx-community',
    repo: 'onnx-community/sam2.1-hiera-large-ONNX',
    revision: 'main',
    encoder: 'onnx/vision_encoder.onnx',
    decoder: 'onnx/prompt_encoder_mask_decoder.onnx',
    extraFiles: ['onnx/vision_encoder.onnx_data', 'onnx/prompt_encoder_mask_decoder.onnx_data'],
    licence: 'Apache-2.0',
    variant: 'large',
  },
  // SAM 2.0 checkpoints exported by samexporter's author: single-file graphs, no external data.
  {
    name: 'sam2-hiera-tiny',
    family: 'samexporter',
    repo: 'vietanhdev/segment-anything-2-onnx-models',
    revision: 'main',
    encoder: 'sam2_hiera_tiny.encoder.onnx',
    decoder: 'sam2_hiera_tiny.decoder.onnx',
    extraFiles: [],
    licence: 'Apache-2.0',
    variant: 'tiny',
  },
  {
    name: 'sam2-hiera-small',
    family: 'samexporter',
    repo: 'vietanhdev/segment-anything-2-onnx-models',
    revision: 'main',
    encoder: 'sam2_hiera_small.encoder.onnx',
    decoder: 'sam2_hiera_small.decoder.onnx',
    extraFiles: [],
    licence: 'Apache-2.0',
    variant: 'small',
  },
  {
    name: 'sam2-hiera-base-plus',
    family: 'samexporter',
    repo: 'vietanhdev/segment-anything-2-onnx-models',
    revision: 'main',
    encoder: 'sam2_hiera_base_plus.encoder.onnx',
    decoder: 'sam2_hiera_base_plus.decoder.onnx',
    extraFiles: [],
    licence: 'Apache-2.0',
    variant: 'base-plus',
  },
  {
    name: 'sam2-hiera-large',
    family: 'samexporter',
    repo: 'vietanhdev/segment-anything-2-onnx-models',
    revision: 'main',
    encoder: 'sam2_hiera_large.encoder.onnx',
    decoder: 'sam2_hiera_large.decoder.onnx',
    extraFiles: [],
    licence: 'Apache-2.0',
    variant: 'large',
  },
];
