import { parseSegmentRequest, validatePromptsInImage } from '../../src/segmentation/segmentRequest';

const base = { image_data: 'AAAA', image_type: 'int16', width: 2, height: 1 };

function fieldOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    return (error as { details?: { field?: string } }).details?.field;
  }
  return undefined;
}

describe('segment request validation', () => {
  it('accepts the seed contract with prompts and context', () => {
    const request = parseSegmentRequest(
      {
        ...base,
        patient_id: 'P',
        study_uid: '1.2',
        slice_index: 3,
        prompts: { points: [{ x: 1, y: 0, label: 1 }] },
      },
      4096,
    );
    expect(request.multimask).toBe(false);
    expect(request.prompts?.points).toHaveLength(1);
  });

  it.each([
    [{ ...base, image_type: 'int32' }, 'image_type'],
    [{ ...base, width: 0 }, 'width'],
    [{ ...base, width: 2.5 }, 'width'],
    [{ ...base, height: undefined }, 'height'],
    [{ image_type: 'int16', width: 2, height: 1 }, 'image_data'],
    [{ ...base, window: { center: 40, width: 0 } }, 'window.width'],
    [{ ...base, rescale: { slope: 0, intercept: 0 } }, 'rescale.slope'],
    [{ ...base, photometric: 'RGB' }, 'photometric'],
    [{ ...base, prompts: { points: [{ x: 1, y: 0, label: 2 }] } }, 'prompts.points[0].label'],
    [{ ...base, prompts: { box: [0, 0, 1] } }, 'prompts.box'],
    [{ ...base, image_id: 'abc' }, 'image_id'],
    [{ ...base, surprise: 1 }, 'surprise'],
    // Misspelt nested keys are refused by name (before, they were dropped and the request ran automatic mode).
    [{ ...base, prompts: { boxes: [0, 0, 1, 1] } }, 'prompts.boxes'],
    [{ ...base, prompts: { point: [{ x: 1, y: 0, label: 1 }] } }, 'prompts.point'],
    [{ ...base, prompts: { points: [{ x: 1, y: 0, label: 1, lable: 1 }] } }, 'prompts.points[0].lable'],
    [{ ...base, rescale: { slope: 1, intercept: 0, intercpt: 0 } }, 'rescale.intercpt'],
    [{ ...base, window: { center: 40, width: 400, widht: 400 } }, 'window.widht'],
    // The misspelling is named even though it also leaves the right key missing.
    [{ ...base, prompts: { points: [{ x: 1, y: 0, lable: 1 }] } }, 'prompts.points[0].lable'],
    [{ ...base, window: { center: 40, widht: 400 } }, 'window.widht'],
    [{ ...base, width: 5000 }, 'width'],
    [{ ...base, invert: 'yes' }, 'invert'],
    [{ ...base, window: { center: 40, width: 400, voi_lut_function: 'LOG' } }, 'window.voi_lut_function'],
    [{ ...base, window: { center: 40, width: 0.5 } }, 'window.width'],
    [{ ...base, window: { center: 40, width: 0.5, voi_lut_function: 'LINEAR' } }, 'window.width'],
  ])('names the bad field (%#)', (body, field) => {
    expect(fieldOf(() => parseSegmentRequest(body, 4096))).toBe(field);
  });

  it('accepts invert and the VOI LUT functions (narrow windows only for the non-LINEAR ones)', () => {
    for (const voi_lut_function of ['LINEAR', 'LINEAR_EXACT', 'SIGMOID'] as const) {
      const request = parseSegmentRequest(
        { ...base, invert: true, window: { center: 40, width: 400, voi_lut_function } },
        4096,
      );
      expect(request.invert).toBe(true);
      expect(request.window?.voi_lut_function).toBe(voi_lut_function);
    }
    const narrow = { center: 40, width: 0.5 };
    expect(
      parseSegmentRequest({ ...base, window: { ...narrow, voi_lut_function: 'SIGMOID' } }, 4096).window,
    ).toBeDefined();
    expect(
      parseSegmentRequest({ ...base, window: { ...narrow, voi_lut_function: 'LINEAR_EXACT' } }, 4096).window
        ?.width,
    ).toBe(0.5);
  });

  it('rejects a body that is not an object', () => {
    expect(fieldOf(() => parseSegmentRequest([1, 2], 4096))).toBe('body');
  });

  it('rejects prompts outside the image and inverted boxes', () => {
    const withPrompts = (prompts: object) => parseSegmentRequest({ ...base, prompts }, 4096);
    expect(
      fieldOf(() => validatePromptsInImage(withPrompts({ points: [{ x: 3, y: 0, label: 1 }] }), 2, 1)),
    ).toBe('prompts.points[0]');
    expect(fieldOf(() => validatePromptsInImage(withPrompts({ box: [0, 0, 3, 1] }), 2, 1))).toBe(
      'prompts.box',
    );
    expect(fieldOf(() => validatePromptsInImage(withPrompts({ box: [1, 0, 1, 1] }), 2, 1))).toBe(
      'prompts.box',
    );
    expect(() => validatePromptsInImage(withPrompts({ box: [0, 0, 2, 1] }), 2, 1)).not.toThrow();
  });
});
