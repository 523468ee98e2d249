import { SingleFlight } from '../../src/cache/singleFlight';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SingleFlight', () => {
  it('runs concurrent callers with the same key once', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    const gate = deferred<number>();
    const a = flights.join('k', () => (runs++, gate.promise));
    const b = flights.join('k', () => (runs++, gate.promise));
    expect([a.shared, b.shared]).toEqual([false, true]);
    gate.resolve(7);
    expect(await Promise.all([a.promise, b.promise])).toEqual([7, 7]);
    expect(runs).toBe(1);
    // Settled flights are forgotten: the next caller computes afresh.
    expect(flights.join('k', async () => 8).shared).toBe(false);
  });

  it('aborts only when the last waiter leaves', async () => {
    const flights = new SingleFlight<string>();
    let signal!: AbortSignal;
    const gate = deferred<string>();
    const a = flights.join('k', (s) => ((signal = s), gate.promise));
    const b = flights.join('k', () => gate.promise);
    a.leave();
    a.leave(); // idempotent
    expect(signal.aborted).toBe(false);
    b.leave();
    expect(signal.aborted).toBe(true);
    // A new caller after everyone left starts a new computation.
    expect(flights.join('k', async () => 'new').shared).toBe(false);
    gate.resolve('late');
  });

  it('does not abort a computation that already finished', async () => {
    const flights = new SingleFlight<number>();
    let signal!: AbortSignal;
    const a = flights.join('k', async (s) => ((signal = s), 1));
    await a.promise;
    a.leave();
    expect(signal.aborted).toBe(false);
  });
});
