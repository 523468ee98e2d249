/**
 * The dwell logic of speculative encoding (fake timers): a slice is encoded only after the user stays
 * on it for the dwell time; scrolling on restarts the wait and aborts the request for the slice left
 * behind; 429 pauses speculation (Retry-After, else a doubling pause); 403 SPECULATION_DISABLED stops it
 * for the long pause; other failures are silent and not retried.
 */
import { Sam2Error } from '../src/api/errors';
import { DwellScheduler } from '../src/speculation/dwell';

interface Call {
  key: string;
  signal: AbortSignal;
  resolve(): void;
  reject(e: unknown): void;
}

function setUp(options: { firstBackoffMs?: number; maxBackoffMs?: number } = {}) {
  const calls: Call[] = [];
  const debug: string[] = [];
  const scheduler = new DwellScheduler<{ key: string }>({
    dwellMs: 300,
    ...options,
    encode: (target, signal) =>
      new Promise<void>((resolve, reject) => calls.push({ key: target.key, signal, resolve, reject })),
    debug: (message) => debug.push(message),
  });
  return { scheduler, calls, debug };
}

/** Lets promise callbacks run (the scheduler reacts to the encode's settlement). */
const settle = () => Promise.resolve().then(() => undefined);

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('DwellScheduler', () => {
  it('encodes a slice only after the dwell, once, however many events repeat it', () => {
    const { scheduler, calls } = setUp();
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(299);
    expect(calls).toHaveLength(0);
    scheduler.show({ key: 'a' }); // e.g. a render event for the same slice: no restart
    jest.advanceTimersByTime(1);
    expect(calls.map((c) => c.key)).toEqual(['a']);
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(1000);
    expect(calls).toHaveLength(1);
  });

  it('scrolling through slices encodes none of them; the slice the user stops on is encoded', () => {
    const { scheduler, calls } = setUp();
    for (let i = 0; i < 300; i++) {
      scheduler.show({ key: `slice-${i}` });
      jest.advanceTimersByTime(50); // a wheel step every 50 ms
    }
    expect(calls).toHaveLength(0);
    jest.advanceTimersByTime(250);
    expect(calls.map((c) => c.key)).toEqual(['slice-299']);
  });

  it('scrolling on aborts the running request for the slice left behind, not one for the same slice', () => {
    const { scheduler, calls, debug } = setUp();
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    expect(scheduler.runningKey).toBe('a');
    scheduler.show({ key: 'a' });
    expect(calls[0].signal.aborted).toBe(false);
    scheduler.show({ key: 'b' });
    expect(calls[0].signal.aborted).toBe(true);
    expect(scheduler.runningKey).toBeUndefined();
    calls[0].reject(new Sam2Error('aborted', 'Cancelled'));
    return settle().then(() => {
      expect(debug).toContain('speculative encode cancelled (scrolled on)');
      jest.advanceTimersByTime(300);
      expect(calls.map((c) => c.key)).toEqual(['a', 'b']);
    });
  });

  it('stop() aborts the running request and forgets the slice', () => {
    const { scheduler, calls } = setUp();
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    scheduler.stop();
    expect(calls[0].signal.aborted).toBe(true);
    scheduler.show({ key: 'b' });
    scheduler.stop();
    jest.advanceTimersByTime(1000);
    expect(calls).toHaveLength(1);
    expect(scheduler.waiting).toBe(false);
  });

  it('after a 429 with Retry-After it pauses that long, then tries the same slice again', async () => {
    const { scheduler, calls } = setUp();
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    calls[0].reject(new Sam2Error('busy', 'busy', { status: 429, code: 'QUEUE_FULL', retryAfterS: 5 }));
    await settle();
    jest.advanceTimersByTime(4999);
    expect(calls).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(calls.map((c) => c.key)).toEqual(['a', 'a']);
    // Another slice during a pause waits for the pause too.
    calls[1].reject(new Sam2Error('busy', 'busy', { status: 429, retryAfterS: 5 }));
    await settle();
    scheduler.show({ key: 'b' });
    jest.advanceTimersByTime(4999);
    expect(calls).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(calls.map((c) => c.key)).toEqual(['a', 'a', 'b']);
  });

  it('429 without Retry-After: the pause doubles up to the maximum, a success resets it', async () => {
    const { scheduler, calls } = setUp({ firstBackoffMs: 1000, maxBackoffMs: 3000 });
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    const pauses: number[] = [];
    for (let i = 0; i < 4; i++) {
      calls[calls.length - 1].reject(new Sam2Error('busy', 'busy', { status: 429 }));
      await settle();
      const before = calls.length;
      let waited = 0;
      while (calls.length === before) {
        jest.advanceTimersByTime(100);
        waited += 100;
      }
      pauses.push(waited);
    }
    expect(pauses).toEqual([1000, 2000, 3000, 3000]);
    calls[calls.length - 1].resolve();
    await settle();
    scheduler.show({ key: 'b' });
    jest.advanceTimersByTime(300);
    calls[calls.length - 1].reject(new Sam2Error('busy', 'busy', { status: 429 }));
    await settle();
    const before = calls.length;
    jest.advanceTimersByTime(1000);
    expect(calls.length).toBe(before + 1);
  });

  it('403 SPECULATION_DISABLED: nothing more for the long pause', async () => {
    const { scheduler, calls, debug } = setUp({ maxBackoffMs: 60000 });
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    calls[0].reject(new Sam2Error('unauthorized', 'off', { status: 403, code: 'SPECULATION_DISABLED' }));
    await settle();
    expect(debug).toContain('speculative encoding is switched off in the service');
    scheduler.show({ key: 'b' });
    jest.advanceTimersByTime(59999);
    expect(calls).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(calls.map((c) => c.key)).toEqual(['a', 'b']);
  });

  it('any other failure is logged at debug level and not retried', async () => {
    const { scheduler, calls, debug } = setUp();
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    calls[0].reject(new Sam2Error('server', 'boom', { status: 500 }));
    await settle();
    jest.advanceTimersByTime(60000);
    expect(calls).toHaveLength(1);
    expect(debug).toContain('speculative encode failed');
  });

  it('show(undefined) (nothing to encode) cancels the wait and the running request', () => {
    const { scheduler, calls } = setUp();
    scheduler.show({ key: 'a' });
    jest.advanceTimersByTime(300);
    scheduler.show(undefined);
    expect(calls[0].signal.aborted).toBe(true);
    scheduler.show({ key: 'b' });
    scheduler.show(undefined);
    jest.advanceTimersByTime(1000);
    expect(calls).toHaveLength(1);
  });
});
