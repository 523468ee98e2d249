import { Tensor } from 'onnxruntime-node';
import type { Point, Prompts } from '../types';
import {
  type Feeds,
  type ModelAdapter,
  type SessionInfo,
  readMaskBatch,
  readMaskOutputs,
  requireNames,
} from './modelAdapter';

const embeddingNames = ['image_embed', 'high_res_feats_0', 'high_res_feats_1'] as const;
const decoderInputs = [...embeddingNames, 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'];

/**
 * Exports made with samexporter (and the SAM2 repo's own ONNX scripts).
 *
 * Decoder feeds: `point_coords` float32 [1,P,2] in 1024² model pixels, `point_labels` float32 [1,P]
 * (1 fg, 0 bg, 2/3 box corners, -1 padding), `mask_input` zeros [1,1,256,256], `has_mask_input` [0],
 * and `orig_im_size` [H, W] only when the graph declares it (then also the caller's padding point).
 */
export function isSamexporter(encoder: SessionInfo, decoder: SessionInfo): boolean {
  return encoder.inputNames.includes('image') && decoder.inputNames.includes('point_coords');
}

export function createSamexporterAdapter(encoder: SessionInfo, decoder: SessionInfo): ModelAdapter {
  requireNames('samexporter encoder outputs', encoder.outputNames, embeddingNames);
  requireNames('samexporter decoder inputs', decoder.inputNames, decoderInputs);
  requireNames('samexporter decoder outputs', decoder.outputNames, ['masks', 'iou_predictions']);
  const origSize = decoder.inputMetadata.find((m) => m.name === 'orig_im_size');
  const origSizeType = origSize && origSize.isTensor ? origSize.type : undefined;
  // SAM1-style graphs (the ones that declare orig_im_size) expect the caller to append the padding
  // point to a click-only prompt; samexporter's SAM2 decoder appends its own (sam2-onnx.md), and a
  // second one would be a second "not a point" token the model was never trained with.
  const callerPads = origSize !== undefined;
  // No previous mask: zeros and has_mask_input = 0. Allocated once, read-only for ORT.
  const noMask = new Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]);
  const hasNoMask = new Tensor('float32', new Float32Array([0]), [1]);

  return {
    family: 'samexporter',
    encoderInput: 'image',
    embeddingNames,
    decoderFeeds(embeddings: Feeds, prompts: Prompts, slice): Feeds {
      const coords: number[] = [];
      const labels: number[] = [];
      for (const p of prompts.points) {
        coords.push(p.x, p.y);
        labels.push(p.label);
      }
      if (prompts.box) {
        coords.push(prompts.box[0], prompts.box[1], prompts.box[2], prompts.box[3]);
        labels.push(2, 3);
      } else if (callerPads) {
        coords.push(0, 0);
        labels.push(-1);
      }
      const feeds: Feeds = {
        ...embeddings,
        point_coords: new Tensor('float32', Float32Array.from(coords), [1, labels.length, 2]),
        point_labels: new Tensor('float32', Float32Array.from(labels), [1, labels.length]),
        mask_input: noMask,
        has_mask_input: hasNoMask,
      };
      if (origSizeType !== undefined)
        feeds.orig_im_size = sizeTensor(origSizeType, slice.height, slice.width);
      return feeds;
    },
    readDecoderOutputs(outputs) {
      return readMaskOutputs(outputs.masks as Tensor, outputs.iou_predictions as Tensor);
    },
    pointBatchFeeds(embeddings: Feeds, points: Point[], slice): Feeds {
      const n = points.length;
      const perSet = callerPads ? 2 : 1;
      const coords = new Float32Array(n * perSet * 2);
      const labels = new Float32Array(n * perSet);
      points.forEach((p, i) => {
        coords[i * perSet * 2] = p.x;
        coords[i * perSet * 2 + 1] = p.y;
        labels[i * perSet] = 1;
        if (callerPads) labels[i * perSet + 1] = -1; // (0, 0) padding point
      });
      const feeds: Feeds = {
        ...embeddings,
        point_coords: new Tensor('float32', coords, [n, perSet, 2]),
        point_labels: new Tensor('float32', labels, [n, perSet]),
        mask_input: new Tensor('float32', new Float32Array(n * 256 * 256), [n, 1, 256, 256]),
        has_mask_input: hasNoMask,
      };
      if (origSizeType !== undefined)
        feeds.orig_im_size = sizeTensor(origSizeType, slice.height, slice.width);
      return feeds;
    },
    readDecoderBatch(outputs, count) {
      return readMaskBatch(outputs.masks as Tensor, outputs.iou_predictions as Tensor, count);
    },
  };
}

/** `orig_im_size` is int32 in some exports, int64 or float32 in others: follow the model's metadata. */
function sizeTensor(type: string, height: number, width: number): Tensor {
  if (type === 'int64') return new Tensor('int64', BigInt64Array.from([BigInt(height), BigInt(width)]), [2]);
  if (type === 'float32') return new Tensor('float32', Float32Array.from([height, width]), [2]);
  return new Tensor('int32', Int32Array.from([height, width]), [2]);
}
