import {
  changedIndices,
  computeSliceValues,
  decideWrite,
  modeForAnswer,
  sameValues,
  sliceHasSegment,
} from '../src/labelmap/decision';
import { askReplaceOrAdd } from '../src/ui/confirmDialog';
import type { ServicesLike, ViewportDialogOptions } from '../src/host/types';

describe('the confirm decision', () => {
  it('writes into an empty slice and asks when the segment already has voxels there', () => {
    expect(decideWrite({ hasExistingVoxels: false, isRefinement: false })).toBe('write');
    expect(decideWrite({ hasExistingVoxels: true, isRefinement: false })).toBe('ask');
  });

  it('never asks when refining the same SAM2 interaction', () => {
    expect(decideWrite({ hasExistingVoxels: true, isRefinement: true })).toBe('write');
  });

  it('maps the answers: Replace / Add write, Cancel (or anything else) writes nothing', () => {
    expect(modeForAnswer('replace')).toBe('replace');
    expect(modeForAnswer('add')).toBe('add');
    expect(modeForAnswer('cancel')).toBeUndefined();
    expect(modeForAnswer('whatever')).toBeUndefined();
  });

  it('detects the segment on the slice', () => {
    expect(sliceHasSegment(Uint16Array.from([0, 2, 0]), 2)).toBe(true);
    expect(sliceHasSegment(Uint16Array.from([0, 1, 0]), 2)).toBe(false);
  });
});

describe('computeSliceValues: what each answer does to the slice', () => {
  // Segment 2 is the target; 1 is another segment; the slice has 2 hand-drawn voxels of 2.
  const baseline = Uint16Array.from([0, 2, 2, 1, 1, 0, 0, 0]);
  const mask = Uint8Array.from([1, 1, 0, 1, 0, 1, 0, 0]);

  it('write (empty slice) / add: union with the segment, other segments untouched', () => {
    const expected = [2, 2, 2, 1, 1, 2, 0, 0];
    expect(Array.from(computeSliceValues(baseline, mask, 2, 'add'))).toEqual(expected);
    expect(Array.from(computeSliceValues(baseline, mask, 2, 'write'))).toEqual(expected);
  });

  it('replace: the segment on this slice becomes the mask, other segments untouched', () => {
    expect(Array.from(computeSliceValues(baseline, mask, 2, 'replace'))).toEqual([2, 2, 0, 1, 1, 2, 0, 0]);
  });

  it('does not modify its input and refuses a size mismatch', () => {
    const copy = Uint16Array.from(baseline);
    computeSliceValues(baseline, mask, 2, 'replace');
    expect(baseline).toEqual(copy);
    expect(() => computeSliceValues(baseline, new Uint8Array(3), 2, 'add')).toThrow();
  });

  it('lists the voxels to change and compares slices', () => {
    const target = computeSliceValues(baseline, mask, 2, 'replace');
    expect(changedIndices(baseline, target)).toEqual([0, 2, 5]);
    expect(sameValues(baseline, Uint16Array.from(baseline))).toBe(true);
    expect(sameValues(baseline, target)).toBe(false);
  });
});

describe('askReplaceOrAdd (uiViewportDialogService)', () => {
  function fakeServices() {
    const calls: { shown?: ViewportDialogOptions; hidden: number } = { hidden: 0 };
    const services = {
      uiViewportDialogService: {
        show: (o: ViewportDialogOptions) => {
          calls.shown = o;
        },
        hide: () => {
          calls.hidden++;
        },
      },
    } as unknown as ServicesLike;
    return { services, calls };
  }

  it.each(['replace', 'add', 'cancel'] as const)('resolves with %s and hides the dialog', async (answer) => {
    const { services, calls } = fakeServices();
    const p = askReplaceOrAdd(services, 'default', 'L3 vertebra');
    expect(calls.shown?.viewportId).toBe('default');
    expect(calls.shown?.message).toContain('L3 vertebra');
    expect(calls.shown?.actions.map((a) => a.id)).toEqual([
      'sam2-confirm-cancel',
      'sam2-confirm-add',
      'sam2-confirm-replace',
    ]);
    calls.shown?.onSubmit(answer);
    await expect(p).resolves.toBe(answer);
    expect(calls.hidden).toBe(1);
  });

  it('treats a click outside and Escape as Cancel, and answers only once', async () => {
    let { services, calls } = fakeServices();
    let p = askReplaceOrAdd(services, 'default', 'X');
    calls.shown?.onOutsideClick?.();
    calls.shown?.onSubmit('replace');
    await expect(p).resolves.toBe('cancel');
    expect(calls.hidden).toBe(1);

    ({ services, calls } = fakeServices());
    p = askReplaceOrAdd(services, 'default', 'X');
    calls.shown?.onKeyPress?.({ key: 'Escape' } as KeyboardEvent);
    await expect(p).resolves.toBe('cancel');
  });
});
