import { Sam2Error } from '../src/api/errors';
import type { MaskResult } from '../src/api/types';
import { chooseMask } from '../src/labelmap/maskChoice';
import { continuesSession, nextPrompts, toPrompts } from '../src/tools/promptSession';
import type { PromptSession } from '../src/tools/promptSession';
import { describeError, describeSuccess } from '../src/ui/messages';
// The service's own encoder: the extension's decoder is tested against exactly what the service sends.
import { encodeRle } from '../../sam2-service/src/mask/rle';

function rectMask(
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  score: number,
): MaskResult {
  const m = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[x + y * w] = 1;
  return { rle: encodeRle(m, h, w), score, area: (x1 - x0 + 1) * (y1 - y0 + 1), bbox: [x0, y0, x1, y1] };
}

describe('chooseMask', () => {
  const top = rectMask(10, 10, 0, 0, 2, 2, 0.95);
  const central = rectMask(10, 10, 4, 4, 6, 6, 0.8);
  const empty = { ...rectMask(10, 10, 0, 0, 0, 0, 0.99), area: 0 };

  it('takes the best candidate in prompt mode', () => {
    expect(chooseMask({ mode: 'prompt', masks: [central, top] })).toEqual({
      mask: central,
      reason: 'prompt',
    });
  });

  it('prefers the best-ranked mask covering the viewport centre in automatic mode', () => {
    expect(chooseMask({ mode: 'automatic', masks: [top, central] }, { x: 5, y: 5 })).toEqual({
      mask: central,
      reason: 'centre',
    });
  });

  it('falls back to the top-ranked mask, skips empty masks, and may find nothing', () => {
    expect(chooseMask({ mode: 'automatic', masks: [empty, top, central] }, { x: 9, y: 9 })).toEqual({
      mask: top,
      reason: 'top',
    });
    expect(chooseMask({ mode: 'automatic', masks: [top] })?.reason).toBe('top');
    expect(chooseMask({ mode: 'automatic', masks: [] })).toBeUndefined();
    expect(chooseMask({ mode: 'prompt', masks: [empty] })).toBeUndefined();
  });
});

describe('prompt accumulation', () => {
  const session: PromptSession = {
    viewportId: 'vp',
    imageId: 'img:3',
    segmentationId: 'seg',
    segmentIndex: 2,
    contextId: 'l3-vertebra',
    points: [{ x: 1, y: 2, label: 1, world: [0, 0, 0] }],
    mode: 'write',
    baseline: Uint16Array.from([0, 0, 0]),
    lastWritten: Uint16Array.from([2, 2, 0]),
  };
  const key = {
    viewportId: 'vp',
    imageId: 'img:3',
    segmentationId: 'seg',
    segmentIndex: 2,
    contextId: 'l3-vertebra',
  };

  it('continues only on the same slice + segment with the slice exactly as last written', () => {
    expect(continuesSession(session, key, Uint16Array.from([2, 2, 0]))).toBe(true);
    expect(continuesSession(session, { ...key, imageId: 'img:4' }, Uint16Array.from([2, 2, 0]))).toBe(false);
    expect(continuesSession(session, { ...key, segmentIndex: 3 }, Uint16Array.from([2, 2, 0]))).toBe(false);
    expect(continuesSession(session, { ...key, contextId: 'structure' }, Uint16Array.from([2, 2, 0]))).toBe(
      false,
    );
    // edited by the brush, or undone:
    expect(continuesSession(session, key, Uint16Array.from([2, 2, 2]))).toBe(false);
    expect(continuesSession(session, key, undefined)).toBe(false);
    expect(continuesSession(undefined, key, Uint16Array.from([2, 2, 0]))).toBe(false);
  });

  it('adds positive and negative (Shift) points, replaces the box, and starts over for the button', () => {
    const more = nextPrompts(session, { kind: 'point', x: 5, y: 6, world: [1, 1, 1], negative: true });
    expect(toPrompts(more)).toEqual({
      points: [
        { x: 1, y: 2, label: 1 },
        { x: 5, y: 6, label: 0 },
      ],
    });
    const boxed = nextPrompts(
      { ...session, ...more },
      {
        kind: 'box',
        box: [0, 0, 4, 4],
        world: [
          [0, 0, 0],
          [1, 1, 1],
        ],
      },
    );
    expect(toPrompts(boxed)).toEqual({
      points: [
        { x: 1, y: 2, label: 1 },
        { x: 5, y: 6, label: 0 },
      ],
      box: [0, 0, 4, 4],
    });
    const reboxed = nextPrompts(
      { ...session, ...boxed },
      {
        kind: 'box',
        box: [1, 1, 3, 3],
        world: [
          [0, 0, 0],
          [1, 1, 1],
        ],
      },
    );
    expect(toPrompts(reboxed)?.box).toEqual([1, 1, 3, 3]);
    expect(toPrompts(nextPrompts(session, { kind: 'auto' }))).toBeUndefined();
  });

  it('starts a new interaction with just the new prompt', () => {
    expect(
      toPrompts(nextPrompts(undefined, { kind: 'point', x: 3, y: 4, world: [0, 0, 0], negative: false })),
    ).toEqual({
      points: [{ x: 3, y: 4, label: 1 }],
    });
  });
});

describe('messages', () => {
  const t = { timeoutMs: 30000 };

  it.each([
    [new Sam2Error('timeout', 'x'), 'SAM2 timed out', /30 s/, true],
    [new Sam2Error('network', 'x'), 'SAM2 service unreachable', /cannot be reached/, true],
    [
      new Sam2Error('unavailable', 'x', { code: 'MODEL_UNAVAILABLE' }),
      'SAM2 service unavailable',
      /not loaded/,
      true,
    ],
    [new Sam2Error('busy', 'x', { retryAfterS: 4.2 }), 'SAM2 is busy', /Retry in 5 s/, true],
    [new Sam2Error('unauthorized', 'x'), 'Not authorised for SAM2', /API token/, false],
    [
      new Sam2Error('invalid', 'width: must be ≥ 1', { requestId: 'r1' }),
      'SAM2 cannot use this image',
      /width.*r1/,
      false,
    ],
    [
      new Sam2Error(
        'too-large',
        'This slice is 5000 × 5000 pixels; the SAM2 service accepts at most 4096 × 4096.',
      ),
      'Slice too large for SAM2',
      /^This slice is 5000 × 5000 pixels; .* at most 4096 × 4096\. Nothing was sent\. .*SAM2_MAX_IMAGE_SIDE/,
      false,
    ],
    [
      new Sam2Error('too-large', 'x', { status: 413, requestId: 'r2' }),
      'Slice too large for SAM2',
      /^The SAM2 service refused this slice as too large \(request r2\)\./,
      false,
    ],
    [new Sam2Error('server', 'boom'), 'SAM2 segmentation failed', /boom/, true],
    [new Error('plain'), 'SAM2 segmentation failed', /plain/, false],
  ])('describes %s', (error, title, message, retryable) => {
    const d = describeError(error, t);
    expect(d.title).toBe(title);
    expect(d.message).toMatch(message);
    expect(d.retryable).toBe(retryable);
  });

  it('reports confidence, time, caching and the voxels the write changed on success', () => {
    const s = describeSuccess(
      { processing_time_ms: 420, cached: false, embedding_cached: true, mode: 'prompt' },
      0.934,
      812,
      'L3 vertebra',
      1649,
    );
    expect(s.title).toContain('L3 vertebra');
    expect(s.message).toBe(
      '93% confidence · 0.8 s (service 0.4 s) · cached embedding · 1,649 voxels changed',
    );
    expect(
      describeSuccess(
        { processing_time_ms: 1, cached: true, embedding_cached: true, mode: 'automatic' },
        1,
        5,
        'x',
        1,
      ).message,
    ).toMatch(/cached result.*automatic/);
    expect(
      describeSuccess(
        { processing_time_ms: 1, cached: false, embedding_cached: false, mode: 'prompt' },
        0.5,
        5,
        'x',
        1,
      ).message,
    ).toMatch(/not cached/);
  });

  it('says nothing changed when the labelmap already held the mask (not the mask area)', () => {
    const response = {
      processing_time_ms: 300,
      cached: true,
      embedding_cached: true,
      mode: 'prompt',
    } as const;
    const unchanged = describeSuccess(response, 0.9, 400, 'L3 vertebra', 0);
    expect(unchanged.title).toBe('SAM2: L3 vertebra unchanged');
    expect(unchanged.message).toBe(
      '90% confidence · 0.4 s (service 0.3 s) · cached result · no voxel changed (the segment already holds this mask)',
    );
    expect(describeSuccess(response, 0.9, 400, 'x', 1).message).toMatch(/· 1 voxel changed$/);
  });
});
