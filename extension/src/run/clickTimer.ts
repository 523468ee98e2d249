/**
 * Timing of one click from gesture to painted labelmap, as User Timing marks and measures (visible in
 * the browser's performance panel as `sam2:<step>`) and as one breakdown object. The browser's share
 * is everything but the service's own processing time (docs/performance.md "Browser share of a click").
 */

/** Milliseconds per step of one click. */
export interface ClickTimings {
  /** Reading the shown slice: pixels, display, identity. */
  readSliceMs: number;
  /** Building the body (pixels to base64) and its JSON text. */
  serialiseMs: number;
  /** POST until the answer's headers, minus the service's time: upload, proxy, network, queueing outside. */
  uploadMs: number;
  /** The service's processing_time_ms (decode/encode, caches). */
  serviceMs: number;
  /** Reading and parsing the JSON answer. */
  parseMs: number;
  /** RLE to a row-major mask. */
  rleDecodeMs: number;
  /** Target segment, labelmap read, merge and the undoable write. */
  labelmapWriteMs: number;
  /** From the write until the viewport has rendered it. */
  renderMs: number;
  /** Gesture to painted labelmap, without the time a confirm question waited for the user. */
  totalMs: number;
  /** totalMs − serviceMs. */
  browserMs: number;
  /** Pixels went up (false: the image_id only). */
  uploadedPixels: boolean;
}

const PREFIX = 'sam2:';

export class ClickTimer {
  private readonly started = performance.now();
  private readonly id: string;
  private waitedMs = 0;
  readonly timings: ClickTimings = {
    readSliceMs: 0,
    serialiseMs: 0,
    uploadMs: 0,
    serviceMs: 0,
    parseMs: 0,
    rleDecodeMs: 0,
    labelmapWriteMs: 0,
    renderMs: 0,
    totalMs: 0,
    browserMs: 0,
    uploadedPixels: false,
  };

  constructor(id: string) {
    this.id = id;
    this.mark('gesture');
  }

  private mark(name: string): void {
    performance.mark?.(`${PREFIX}${name}:${this.id}`);
  }

  /** Runs `fn` as step `name`, adding its duration to the field `field`. */
  step<T>(name: string, field: keyof ClickTimings, fn: () => T): T {
    const at = performance.now();
    try {
      return fn();
    } finally {
      this.add(name, field, performance.now() - at, at);
    }
  }

  async stepAsync<T>(name: string, field: keyof ClickTimings, fn: () => Promise<T>): Promise<T> {
    const at = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, field, performance.now() - at, at);
    }
  }

  /** Adds a duration measured elsewhere (e.g. inside the HTTP client). */
  add(name: string, field: keyof ClickTimings, ms: number, startedAt?: number): void {
    (this.timings[field] as number) += ms;
    if (startedAt !== undefined) {
      performance.measure?.(`${PREFIX}${name}`, { start: startedAt, duration: ms, detail: this.id });
    }
  }

  /** Time spent waiting for the user (the Replace/Add question), left out of the click's time. */
  waited(ms: number): void {
    this.waitedMs += ms;
  }

  /** Closes the breakdown: total and browser share. */
  finish(): ClickTimings {
    const t = this.timings;
    t.totalMs = performance.now() - this.started - this.waitedMs;
    t.browserMs = t.totalMs - t.serviceMs;
    this.mark('painted');
    performance.measure?.(`${PREFIX}click`, { start: this.started, duration: t.totalMs, detail: this.id });
    for (const key of Object.keys(t) as Array<keyof ClickTimings>) {
      if (typeof t[key] === 'number') (t[key] as number) = Math.round((t[key] as number) * 10) / 10;
    }
    return t;
  }
}
