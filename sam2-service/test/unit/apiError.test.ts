import { ApiError, publicError } from '../../src/http/apiError';

describe('public error bodies', () => {
  it('pass 4xx errors through: they describe the client’s own input', () => {
    const error = new ApiError('INVALID_REQUEST', 'width: must be at most 4096 pixels', { field: 'width' });
    expect(publicError(error)).toEqual({
      code: 'INVALID_REQUEST',
      message: 'width: must be at most 4096 pixels',
      details: { field: 'width' },
    });
  });

  it('give 5xx errors a generic reason and only allow-listed details', () => {
    const internal = new ApiError('INTERNAL', 'inference failed', {
      reason:
        '[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Got invalid dimensions for input: image_embed in /opt/models/sam2/decoder.onnx',
    });
    expect(publicError(internal)).toEqual({ code: 'INTERNAL', message: 'internal error', details: {} });
    const unavailable = new ApiError(
      'MODEL_UNAVAILABLE',
      'model failed to load: Load model from /srv/secret/encoder.onnx failed: Protobuf parsing failed',
      { state: 'unavailable', path: '/srv/secret' },
      10,
    );
    const body = publicError(unavailable);
    expect(body.details).toEqual({ state: 'unavailable' });
    expect(JSON.stringify(body)).not.toMatch(/secret|onnx|Protobuf/i);
    const timeout = new ApiError('TIMEOUT', 'segmentation took longer than 30000 ms', { timeout_ms: 30000 });
    expect(publicError(timeout).details).toEqual({ timeout_ms: 30000 });
  });
});
