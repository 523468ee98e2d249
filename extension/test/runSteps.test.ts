/**
 * The named steps of one run (run/): read and check, ask, choose, report, and the click timer, each on
 * its own. OHIF and Cornerstone are small fakes of the host objects here (the real ones run in the
 * browser tests); expected values are written out by hand.
 */
import { Sam2Error } from '../src/api/errors';
import type { MaskResult } from '../src/api/types';
import { DEFAULT_CONFIG } from '../src/config';
import { getContext } from '../src/contexts';
import type { CornerstoneLibraries, NotificationOptions, ServicesLike } from '../src/host/types';
import type { SliceInfo } from '../src/imaging/slice';
import { LockedSegmentError } from '../src/labelmap/target';
import { askWriteMode, reviewPrompt } from '../src/run/ask';
import { chooseResult, restrictToTissue } from '../src/run/choose';
import { ClickTimer } from '../src/run/clickTimer';
import { checkViewport, readAndCheck } from '../src/run/readAndCheck';
import { failureDescription, failureFollowUp, reportFailure } from '../src/run/report';
import type { RunEnv } from '../src/run/types';
import { writeResult } from '../src/run/write';
import type { WriteListeners } from '../src/run/write';
import type { ProtectedSegment } from '../src/labelmap/segmentGuard';
import type { PromptSession } from '../src/tools/promptSession';

const structure = getContext('structure');

interface FakeOptions {
  modality?: string;
  imageLoaded?: boolean;
  enabled?: boolean;
  /** Labelmap values of the shown 2 × 2 slice; a segmentation with the context's segment (index 1). */
  labelmap?: number[];
  dialogAnswer?: string;
}

function fakeEnv(o: FakeOptions = {}) {
  const notes: NotificationOptions[] = [];
  const dialogs: string[] = [];
  const labelmap = o.labelmap ? Uint16Array.from(o.labelmap) : undefined;
  const viewport = {
    id: 'vp',
    element: {} as HTMLDivElement,
    getCurrentImageId: () => 'img:1',
    getProperties: () => ({}),
    canvasToWorld: () => [0, 0, 0],
    worldToCanvas: () => [0, 0],
    render: () => undefined,
  };
  const segmentation = labelmap
    ? { segmentationId: 'seg', segments: { 1: { segmentIndex: 1, label: structure.segmentLabel } } }
    : undefined;
  const services = {
    viewportGridService: {
      getActiveViewportId: () => 'vp',
      getDisplaySetsUIDsForViewport: () => ['ds'],
    },
    cornerstoneViewportService: {
      getCornerstoneViewport: (id: string) => (id === 'vp' ? viewport : undefined),
    },
    displaySetService: {
      getDisplaySetByUID: () => ({ displaySetInstanceUID: 'ds', Modality: o.modality ?? 'CT' }),
    },
    toolGroupService: { getToolGroupForViewport: () => undefined },
    segmentationService: { getActiveSegmentation: () => segmentation },
    uiNotificationService: { show: (n: NotificationOptions) => void notes.push(n) },
    uiViewportDialogService: {
      show: (d: { message: string; onSubmit(value: string): void }) => {
        dialogs.push(d.message);
        d.onSubmit(o.dialogAnswer ?? 'cancel');
      },
      hide: () => undefined,
    },
  } as unknown as ServicesLike;
  const image = {
    imageId: 'img:1',
    rows: 2,
    columns: 2,
    getPixelData: () => new Int16Array(4),
    preScale: { scaled: true },
  };
  const libs = {
    cornerstone: {
      cache: {
        getImage: (id: string) =>
          id === 'img:1' && o.imageLoaded !== false
            ? image
            : id === 'lm:img:1' && labelmap
              ? { voxelManager: { getScalarData: () => labelmap, getAtIndex: (i: number) => labelmap[i] } }
              : undefined,
      },
      metaData: { get: () => ({}) },
    },
    cornerstoneTools: {
      segmentation: { getLabelmapImageIdsForImageId: (id: string) => [`lm:${id}`] },
    },
  } as unknown as CornerstoneLibraries;
  const env: RunEnv = {
    services,
    libs,
    commandsManager: { runCommand: () => undefined },
    config: { ...DEFAULT_CONFIG, enabled: o.enabled ?? true },
  };
  return { env, notes, dialogs };
}

const shownSlice = { imageId: 'img:1', width: 2, height: 2 } as SliceInfo;

describe('read and check', () => {
  const ready = { current: () => ({ status: 'ready' as const }), checkNow: async () => undefined };

  it('SAM2 switched off: skipped without a message', () => {
    const { env, notes } = fakeEnv({ enabled: false });
    expect(checkViewport(env, 'vp')).toEqual({
      ok: false,
      outcome: { status: 'skipped', error: 'disabled' },
    });
    expect(notes).toEqual([]);
  });

  it('no image, another modality: skipped, saying why', () => {
    const none = fakeEnv({ imageLoaded: false });
    expect(checkViewport(none.env, 'vp')).toMatchObject({ ok: false, outcome: { error: 'no image' } });
    expect(none.notes[0].message).toBe('No image loaded');
    const mr = fakeEnv({ modality: 'MR' });
    expect(checkViewport(mr.env, 'vp')).toMatchObject({ ok: false, outcome: { error: 'modality' } });
    expect(mr.notes[0].message).toBe('Modality MR not supported');
  });

  it('a service marked down is asked again before refusing', async () => {
    const { env, notes } = fakeEnv();
    let status: 'down' | 'ready' = 'down';
    const result = await readAndCheck(env, 'vp', {
      current: () => ({ status }),
      checkNow: async () => {
        status = 'ready';
      },
    });
    expect(result.ok).toBe(true);
    expect(notes).toEqual([]);
    status = 'down';
    const refused = await readAndCheck(env, 'vp', {
      current: () => ({ status }),
      checkNow: async () => undefined,
    });
    expect(refused).toMatchObject({ ok: false, outcome: { error: 'unavailable' } });
  });

  it('reads the shown slice: size, identity, photometric', async () => {
    const { env } = fakeEnv();
    const result = await readAndCheck(env, 'vp', ready);
    if (!result.ok) throw new Error('expected a slice');
    expect(result.value.slice).toMatchObject({
      imageId: 'img:1',
      width: 2,
      height: 2,
      photometric: 'MONOCHROME2',
    });
  });
});

describe('ask', () => {
  const point = { kind: 'point' as const, x: 1, y: 1, world: [0, 0, 0] as [number, number, number] };

  it('Shift+click without a result to refine: skipped, explained', () => {
    const { env, notes } = fakeEnv();
    const result = reviewPrompt(env, 'vp', shownSlice, structure, undefined, { ...point, negative: true });
    expect(result).toMatchObject({ ok: false, outcome: { error: 'negative without result' } });
    expect(notes[0].message).toMatch(/^Shift\+click removes an area/);
  });

  it('an empty slice is written without a question', async () => {
    const { env, dialogs } = fakeEnv({ labelmap: [0, 0, 0, 0] });
    const review = reviewPrompt(env, 'vp', shownSlice, structure, undefined, { ...point, negative: false });
    if (!review.ok) throw new Error('expected a review');
    expect(review.value.mustAsk).toBe(false);
    await expect(askWriteMode(env, 'vp', structure, review.value)).resolves.toBe('write');
    expect(dialogs).toEqual([]);
  });

  it('voxels of the segment on the slice: the user is asked; Add, Replace or Cancel decide', async () => {
    for (const [answer, mode] of [
      ['add', 'add'],
      ['replace', 'replace'],
      ['cancel', undefined],
    ] as const) {
      const { env, dialogs } = fakeEnv({ labelmap: [0, 1, 0, 0], dialogAnswer: answer });
      const review = reviewPrompt(env, 'vp', shownSlice, structure, undefined, { ...point, negative: false });
      if (!review.ok) throw new Error('expected a review');
      expect(review.value.mustAsk).toBe(true);
      await expect(askWriteMode(env, 'vp', structure, review.value)).resolves.toBe(mode);
      expect(dialogs).toHaveLength(1);
    }
  });

  it('a prompt refining the interaction on screen keeps its mode and asks nothing', async () => {
    const { env, dialogs } = fakeEnv({ labelmap: [0, 1, 0, 0] });
    const session: PromptSession = {
      viewportId: 'vp',
      imageId: 'img:1',
      segmentationId: 'seg',
      segmentIndex: 1,
      contextId: structure.id,
      points: [],
      mode: 'add',
      baseline: Uint16Array.from([0, 0, 0, 0]),
      lastWritten: Uint16Array.from([0, 1, 0, 0]),
    };
    const review = reviewPrompt(env, 'vp', shownSlice, structure, session, { ...point, negative: true });
    if (!review.ok) throw new Error('expected a review');
    expect(review.value.session).toBe(session);
    await expect(askWriteMode(env, 'vp', structure, review.value)).resolves.toBe('add');
    // The slice changed underneath (an edit): no longer the same interaction.
    const edited = fakeEnv({ labelmap: [1, 1, 0, 0] });
    const again = reviewPrompt(edited.env, 'vp', shownSlice, structure, session, {
      ...point,
      negative: false,
    });
    if (!again.ok) throw new Error('expected a review');
    expect(again.value.session).toBeUndefined();
    expect(again.value.mustAsk).toBe(true);
    expect(dialogs).toEqual([]);
  });
});

describe('choose', () => {
  // 2 rows × 3 columns; column-major runs. Mask A = pixel (x=0, y=1) only; mask B = column x=2.
  const maskA: MaskResult = {
    rle: { size: [2, 3], counts: [1, 1, 4] },
    score: 0.9,
    area: 1,
    bbox: [0, 1, 0, 1],
  };
  const maskB: MaskResult = {
    rle: { size: [2, 3], counts: [4, 2] },
    score: 0.8,
    area: 2,
    bbox: [2, 0, 2, 1],
  };
  const empty: MaskResult = { rle: { size: [2, 3], counts: [6] }, score: 0.99, area: 0, bbox: null };
  const size = { width: 3, height: 2 };

  it('prompt mode: the first non-empty mask, row-major', () => {
    const chosen = chooseResult({ mode: 'prompt', masks: [empty, maskA, maskB] }, size);
    expect(chosen?.score).toBe(0.9);
    expect(Array.from(chosen!.mask)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it('automatic mode: the mask under the viewport centre, else the top one', () => {
    const atCentre = chooseResult({ mode: 'automatic', masks: [maskA, maskB] }, size, { x: 2.5, y: 0.5 });
    expect(Array.from(atCentre!.mask)).toEqual([0, 0, 1, 0, 0, 1]);
    const top = chooseResult({ mode: 'automatic', masks: [maskA, maskB] }, size, { x: 1.5, y: 0.5 });
    expect(top?.score).toBe(0.9);
  });

  it('nothing found: undefined; a mask of another size: an error naming both sizes', () => {
    expect(chooseResult({ mode: 'prompt', masks: [empty] }, size)).toBeUndefined();
    expect(() => chooseResult({ mode: 'prompt', masks: [maskA] }, { width: 2, height: 3 })).toThrow(
      'Mask is 3×2, the slice 2×3',
    );
  });
});

describe('choose: tissue HU range', () => {
  // HU of a 2 × 2 slice, stored = HU + 1024 (slope 1, intercept −1024): fat, muscle, air, bone.
  const slice = {
    image: {
      rows: 2,
      columns: 2,
      getPixelData: () => Uint16Array.from([-100 + 1024, 40 + 1024, -1000 + 1024, 700 + 1024]),
    },
    scaling: { scaled: false, slope: 1, intercept: -1024 },
  } as unknown as SliceInfo;
  const muscle = { label: 'Skeletal muscle' };
  const chosen = { mask: Uint8Array.from([1, 1, 1, 1]), score: 0.9 };

  it('keeps only the voxels in the range; no range: the mask as chosen', () => {
    const { env } = fakeEnv();
    const kept = restrictToTissue(env, chosen, slice, muscle, { min: -29, max: 150 });
    expect(kept.ok && Array.from(kept.value.mask)).toEqual([0, 1, 0, 0]);
    expect(restrictToTissue(env, chosen, slice, muscle, undefined)).toEqual({ ok: true, value: chosen });
  });

  it('no voxel in range: nothing to write, and the user is told the range', () => {
    const { env, notes } = fakeEnv();
    const none = restrictToTissue(env, chosen, slice, muscle, { min: 200, max: 300 });
    expect(none).toEqual({ ok: false, outcome: { status: 'empty', error: 'no voxel in the HU range' } });
    expect(notes[0].message).toBe(
      'No voxel of the result lies in the Skeletal muscle range (200 to 300 HU). Nothing was written.',
    );
  });
});

describe('report', () => {
  it('follow-ups: cancel, readiness re-check, limits re-read', () => {
    expect(failureFollowUp(new Sam2Error('aborted', 'Cancelled'))).toEqual({
      cancelled: true,
      recheckAvailability: false,
      forgetLimits: false,
    });
    expect(failureFollowUp(new Sam2Error('network', 'x')).recheckAvailability).toBe(true);
    expect(failureFollowUp(new Sam2Error('unavailable', 'x', { status: 503 })).recheckAvailability).toBe(
      true,
    );
    expect(failureFollowUp(new Sam2Error('too-large', 'x', { status: 413 })).forgetLimits).toBe(true);
    expect(failureFollowUp(new Error('x'))).toEqual({
      cancelled: false,
      recheckAvailability: false,
      forgetLimits: false,
    });
  });

  it('a locked segment is explained without Retry; a busy service offers Retry', () => {
    expect(failureDescription(new LockedSegmentError('Segment is locked'), 30000)).toEqual({
      title: 'SAM2',
      message: 'Segment is locked',
      retryable: false,
    });
    expect(
      failureDescription(new Sam2Error('busy', 'x', { status: 429, retryAfterS: 2 }), 30000).retryable,
    ).toBe(true);
  });

  it('a cancel is an info, not an error; an error carries Retry when it can help', () => {
    const cancelled = fakeEnv();
    reportFailure(cancelled.env, new Sam2Error('aborted', 'Cancelled'), () => undefined);
    expect(cancelled.notes).toEqual([expect.objectContaining({ type: 'info', title: 'SAM2 cancelled' })]);
    const failed = fakeEnv();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    reportFailure(failed.env, new Sam2Error('timeout', 'x'), () => undefined);
    warn.mockRestore();
    expect(failed.notes[0]).toMatchObject({
      type: 'error',
      title: 'SAM2 timed out',
      action: { label: 'Retry' },
    });
  });
});

describe('ClickTimer', () => {
  it('browser share = total − service time; time waiting for the user is left out', async () => {
    const timer = new ClickTimer('t1');
    timer.add('service', 'serviceMs', 20);
    timer.step('read-slice', 'readSliceMs', () => undefined);
    timer.waited(0);
    await new Promise((r) => setTimeout(r, 30));
    const t = timer.finish();
    expect(t.totalMs).toBeGreaterThanOrEqual(29);
    expect(t.serviceMs).toBe(20);
    expect(t.browserMs).toBeCloseTo(t.totalMs - 20, 0);

    const before = performance.now();
    const waiting = new ClickTimer('t2');
    await new Promise((r) => setTimeout(r, 40));
    waiting.waited(40);
    const total = waiting.finish().totalMs;
    expect(total).toBeLessThanOrEqual(performance.now() - before - 40 + 0.1);
  });
});

describe('write', () => {
  const model = { name: 'sam2.1-hiera-tiny', family: 'samexporter', version: 'v1' };
  /**
   * Host fakes for a 2 × 2 slice whose labelmap holds `values`; segment 1 is the context's (`segment1`
   * adds to it, e.g. already active). The log records the host calls in order.
   */
  function writeEnv(values: number[], segment1: Record<string, unknown> = {}) {
    const labelmap = Uint16Array.from(values);
    const log: string[] = [];
    const events = new EventTarget();
    const segmentation = {
      segmentationId: 'seg',
      segments: {
        1: { segmentIndex: 1, label: structure.segmentLabel, ...segment1 },
        2: { segmentIndex: 2, label: 'Liver' },
      },
    };
    const vm = {
      getAtIndex: (i: number) => labelmap[i],
      setAtIndex: (i: number, v: number) => void (labelmap[i] = v),
      getScalarData: () => labelmap,
    };
    const libs = {
      cornerstone: {
        eventTarget: events,
        cache: { getImage: (id: string) => (id === 'lm:img:1' ? { voxelManager: vm } : undefined) },
        utilities: {
          HistoryMemo: {
            DefaultHistoryMemo: {
              startGroupRecording: () => log.push('group'),
              endGroupRecording: () => log.push('end'),
              push: () => log.push('undo step'),
            },
          },
        },
      },
      cornerstoneTools: {
        Enums: { Events: { SEGMENTATION_RENDERED: 'SEGMENTATION_RENDERED' } },
        segmentation: {
          getLabelmapImageIdsForImageId: (id: string) => [`lm:${id}`],
          triggerSegmentationEvents: { triggerSegmentationDataModified: () => log.push('modified') },
          updateSegmentations: () => log.push('provenance'),
        },
        utilities: {
          segmentation: {
            LabelmapMemo: {
              createLabelmapMemo: () => ({ voxelManager: vm, commitMemo: () => true }),
            },
            triggerSegmentationRender: (viewportId: string) => log.push(`render pass ${viewportId}`),
          },
        },
      },
    } as unknown as CornerstoneLibraries;
    const services = {
      segmentationService: {
        getActiveSegmentation: () => segmentation,
        getSegmentation: () => segmentation,
        setActiveSegment: (_id: string, index: number) => log.push(`active ${index}`),
      },
    } as unknown as ServicesLike;
    const env: RunEnv = {
      services,
      libs,
      commandsManager: { runCommand: () => undefined },
      config: DEFAULT_CONFIG,
    };
    const rendered = (viewportId: string) =>
      events.dispatchEvent(new CustomEvent('SEGMENTATION_RENDERED', { detail: { viewportId } }));
    return { env, labelmap, log, rendered };
  }
  const key = {
    viewportId: 'vp',
    imageId: 'img:1',
    segmentationId: 'seg',
    segmentIndex: 1,
    contextId: structure.id,
  };
  const listeners = (log: string[], guarded: ProtectedSegment[] = []): WriteListeners => ({
    segmentGuard: { protect: (segment) => void guarded.push(segment) },
    bodyComposition: {
      noteModel: (id, index, m) => void log.push(`model ${id}:${index} ${m.name}`),
    },
  });

  it('a new result joins what the slice holds, never over another segment, as one undo step', async () => {
    const { env, labelmap, log } = writeEnv([0, 0, 2, 0]);
    const result = await writeResult(
      env,
      {
        viewportId: 'vp',
        slice: shownSlice,
        context: structure,
        review: { key, mustAsk: false },
        mode: 'write',
        prompts: { points: [] },
        mask: Uint8Array.from([1, 0, 1, 1]),
        model,
      },
      listeners(log),
    );
    expect(Array.from(labelmap)).toEqual([1, 0, 2, 1]);
    expect(result.changed).toBe(2);
    expect(Array.from(result.session.baseline)).toEqual([0, 0, 2, 0]);
    expect(Array.from(result.session.lastWritten)).toEqual([1, 0, 2, 1]);
    // The segment existed: nothing to guard; the model is noted for the body-composition panel.
    // Activation and provenance go before the data event (their render passes serve its paint), so
    // no extra pass is asked for.
    expect(log).toEqual([
      'group',
      'undo step',
      'end',
      'active 1',
      'provenance',
      'modified',
      'model seg:1 sam2.1-hiera-tiny',
    ]);
  });

  const resultFor = (mask: number[]) => ({
    viewportId: 'vp',
    slice: shownSlice,
    context: structure,
    review: { key, mustAsk: false },
    mode: 'write' as const,
    prompts: { points: [] },
    mask: Uint8Array.from(mask),
    model,
  });
  const marked = { algorithmType: 'SEMIAUTOMATIC', algorithmName: 'SAM2 sam2.1-hiera-tiny v1' };

  it('a segment already active and marked: no segment event, one render pass asked before the data event', async () => {
    const { env, log } = writeEnv([0, 0, 0, 0], { active: true, ...marked });
    const result = await writeResult(env, resultFor([1, 0, 0, 0]), listeners(log));
    expect(result.changed).toBe(1);
    expect(log).toEqual([
      'group',
      'undo step',
      'end',
      'render pass vp',
      'modified',
      'model seg:1 sam2.1-hiera-tiny',
    ]);
  });

  it('painted: resolves on SEGMENTATION_RENDERED of this viewport only, not another’s', async () => {
    const { env, log, rendered } = writeEnv([0, 0, 0, 0], { active: true, ...marked });
    const result = await writeResult(env, resultFor([1, 1, 0, 0]), listeners(log));
    let done = false;
    void result.painted!.then(() => (done = true));
    rendered('other viewport');
    await Promise.resolve();
    expect(done).toBe(false);
    rendered('vp');
    await result.painted;
    expect(done).toBe(true);
  });

  it('nothing changed: no undo step, no paint to wait for; the segment is still made active', async () => {
    const { env, log } = writeEnv([1, 0, 0, 0]);
    const result = await writeResult(env, resultFor([1, 0, 0, 0]), listeners(log));
    expect(result.changed).toBe(0);
    expect(result.painted).toBeUndefined();
    expect(log).toEqual(['active 1']);
  });

  it('a write that changes nothing notes no model', async () => {
    const { env, log } = writeEnv([1, 0, 0, 0]);
    const result = await writeResult(
      env,
      {
        viewportId: 'vp',
        slice: shownSlice,
        context: structure,
        review: { key, mustAsk: false },
        mode: 'write',
        prompts: { points: [] },
        mask: Uint8Array.from([1, 0, 0, 0]),
        model,
      },
      listeners(log),
    );
    expect(result.changed).toBe(0);
    expect(log.some((l) => l.startsWith('model'))).toBe(false);
  });

  it('a refinement replaces the interaction’s earlier result (rebuilt from the baseline)', async () => {
    const { env, labelmap } = writeEnv([1, 1, 0, 0]);
    const session: PromptSession = {
      ...key,
      points: [],
      mode: 'write',
      baseline: Uint16Array.from([0, 0, 0, 0]),
      lastWritten: Uint16Array.from([1, 1, 0, 0]),
    };
    const result = await writeResult(
      env,
      {
        viewportId: 'vp',
        slice: shownSlice,
        context: structure,
        review: { key, session, mustAsk: false },
        mode: 'write',
        prompts: { points: [] },
        mask: Uint8Array.from([0, 0, 0, 1]),
        model,
      },
      listeners([]),
    );
    expect(Array.from(labelmap)).toEqual([0, 0, 0, 1]);
    expect(Array.from(result.session.baseline)).toEqual([0, 0, 0, 0]);
  });
});
