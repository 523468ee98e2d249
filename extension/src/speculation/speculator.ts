/**
 * Speculative encoding in the viewer: while the SAM2 mode is active and the service is ready and offers
 * it (/info capabilities.speculative_encoding), the slice the user stays on is sent to
 * POST …/sam2/encode after a short dwell; its image_id lands in the click's ImageIdCache, so the first
 * click on that slice uploads no pixels and waits only for the decoder (docs/user-guide.md, "Faster
 * first clicks"). Never visible: no messages, failures go to console.debug.
 */
import type { Sam2ClientOptions } from '../api/client';
import { encodeSlice } from '../api/encodeSlice';
import type { EncodeSliceInput } from '../api/encodeSlice';
import type { ServiceLimits } from '../api/limits';
import { ImageIdCache } from '../api/request';
import { sliceEncodingKey } from '../api/segmentSlice';
import type { Sam2Config } from '../config';
import { DwellScheduler } from './dwell';

export interface SpeculationTarget {
  key: string;
  input: EncodeSliceInput;
}

export interface SpeculationHost {
  config(): Sam2Config;
  /** The service is ready and no run is going on (a run already sends this slice). */
  idle(): boolean;
  /** The image part of a click on the slice `viewportId` shows now, or undefined (nothing to encode). */
  shownInput(viewportId?: string): EncodeSliceInput | undefined;
  limits(): Promise<ServiceLimits | undefined>;
  cache: ImageIdCache;
}

let counter = 0;

export class Speculator {
  private readonly scheduler: DwellScheduler<SpeculationTarget>;
  /** Encodes sent, answered, cancelled by scrolling on, failed otherwise (for logs and the browser tests). */
  readonly stats = { sent: 0, encoded: 0, cancelled: 0, failed: 0 };

  constructor(private readonly host: SpeculationHost) {
    this.scheduler = new DwellScheduler<SpeculationTarget>({
      dwellMs: host.config().speculationDwellMs,
      encode: (target, signal) => this.encode(target, signal),
      debug: (message, detail) => console.debug('[SAM2]', message, detail ?? ''),
    });
  }

  /** Something changed what `viewportId` (default: the active viewport) shows: look again. */
  consider(viewportId?: string): void {
    const config = this.host.config();
    if (!config.enabled || !config.speculativeEncoding) return this.scheduler.stop();
    // During a click the request for this slice is running anyway: leave speculation as it is.
    if (!this.host.idle()) return;
    const input = this.host.shownInput(viewportId);
    this.scheduler.show(input ? { key: sliceEncodingKey(input), input } : undefined);
  }

  stop(): void {
    this.scheduler.stop();
  }

  private async encode(target: SpeculationTarget, signal: AbortSignal): Promise<void> {
    if (!this.host.idle() || this.host.cache.has(target.key)) return;
    const limits = await this.host.limits();
    if (!limits?.speculativeEncoding || signal.aborted) return;
    const config = this.host.config();
    const client: Sam2ClientOptions = {
      url: config.encodeUrl,
      timeoutMs: config.timeoutMs,
      signal,
      token: config.apiToken,
      requestId: `sam2-spec-${Date.now().toString(36)}-${(++counter).toString(36)}`,
    };
    this.stats.sent++;
    try {
      await encodeSlice({ ...target.input, limits }, this.host.cache, client);
      this.stats.encoded++;
    } catch (e) {
      if (signal.aborted) this.stats.cancelled++;
      else this.stats.failed++;
      throw e;
    }
  }
}
