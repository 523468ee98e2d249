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

const embeddingNames = ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'] as const;

/** Exports in the transformers.js layout (onnx-community/sam2*-ONNX on the model hub). */
export function isOnnxCommunity(encoder: SessionInfo, decoder: SessionInfo): boolean {
  return encoder.inputNames.includes('pixel_values') && decoder.inputNames.includes('input_points');
}

export function createOnnxCommunityAdapter(encoder: SessionInfo, decoder: SessionInfo): ModelAdapter {
  requireNames('onnx-community encoder outputs', encoder.outputNames, embeddingNames);
  requireNames('onnx-community decoder inputs', decoder.inputNames, [
    ...embeddingNames,
    'input_points',
    'input_labels',
  ]);
  requireNames('onnx-community decoder outputs', decoder.outputNames, ['pred_masks', 'iou_scores']);
  const takesBoxes = decoder.inputNames.includes('input_boxes');

  return {
    family: 'onnx-community',
    encoderInput: 'pixel_values',
    embeddingNames,
    decoderFeeds(embeddings: Feeds, prompts: Prompts): Feeds {
      if (prompts.box && !takesBoxes) throw new Error('this decoder export has no input_boxes');
      const n = prompts.points.length;
      const coords = new Float32Array(n * 2);
      const labels = new BigInt64Array(n);
      prompts.points.forEach((p, i) => {
        coords[2 * i] = p.x;
        coords[2 * i + 1] = p.y;
        labels[i] = BigInt(p.label);
      });
      const feeds: Feeds = {
        ...embeddings,
        input_points: new Tensor('float32', coords, [1, 1, n, 2]),
        input_labels: new Tensor('int64', labels, [1, 1, n]),
      };
      if (takesBoxes) {
        feeds.input_boxes = prompts.box
          ? new Tensor('float32', Float32Array.from(prompts.box), [1, 1, 4])
          : new Tensor('float32', new Float32Array(0), [1, 0, 4]);
      }
      return feeds;
    },
    readDecoderOutputs(outputs) {
      return readMaskOutputs(outputs.pred_masks as Tensor, outputs.iou_scores as Tensor);
    },
    pointBatchFeeds(embeddings: Feeds, points: Point[]): Feeds {
      const n = points.length;
      const coords = Float32Array.from(points.flatMap((p) => [p.x, p.y]));
      const labels = new BigInt64Array(n).fill(1n);
      const feeds: Feeds = {
        ...embeddings,
        input_points: new Tensor('float32', coords, [1, n, 1, 2]),
        input_labels: new Tensor('int64', labels, [1, n, 1]),
      };
      if (takesBoxes) feeds.input_boxes = new Tensor('float32', new Float32Array(0), [1, 0, 4]);
      return feeds;
    },
    readDecoderBatch(outputs, count) {
      return readMaskBatch(outputs.pred_masks as Tensor, outputs.iou_scores as Tensor, count);
    },
  };
}
