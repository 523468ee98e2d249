interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
  settled: boolean;
}

export interface FlightHandle<T> {
  promise: Promise<T>;
  /** True when this caller joined a computation another caller started. */
  shared: boolean;
  /** This caller stops waiting (done or timed out); the last one to leave an unfinished flight aborts it. */
  leave(): void;
}

/**
 * Concurrent callers with the same key share one computation. It is cancelled only when every caller
 * has given up, so one caller's time limit never fails the others.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  join(key: string, compute: (signal: AbortSignal) => Promise<T>): FlightHandle<T> {
    let flight = this.flights.get(key);
    const shared = flight !== undefined;
    if (!flight) {
      const controller = new AbortController();
      const created: Flight<T> = {
        controller,
        waiters: 0,
        settled: false,
        promise: Promise.resolve() as Promise<T>,
      };
      created.promise = compute(controller.signal).finally(() => {
        created.settled = true;
        if (this.flights.get(key) === created) this.flights.delete(key);
      });
      // Callers that left still hold the promise; keep an unobserved rejection from being "unhandled".
      created.promise.catch(() => undefined);
      this.flights.set(key, created);
      flight = created;
    }
    const joined = flight;
    joined.waiters++;
    let left = false;
    return {
      promise: joined.promise,
      shared,
      leave: () => {
        if (left) return;
        left = true;
        if (--joined.waiters === 0 && !joined.settled) {
          joined.controller.abort();
          if (this.flights.get(key) === joined) this.flights.delete(key);
        }
      },
    };
  }
}
