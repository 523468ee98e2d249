/** Concurrent calls with the same key share one computation. */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /** Returns the running computation for `key`, or starts `compute`; `shared` tells which. */
  run(key: string, compute: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const running = this.inFlight.get(key);
    if (running) return { promise: running, shared: true };
    const promise = compute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return { promise, shared: false };
  }
}
