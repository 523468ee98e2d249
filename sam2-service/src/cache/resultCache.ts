import { LRUCache } from 'lru-cache';
import type { MaskResult } from '../inference/protocol';

export interface CachedResult {
  masks: MaskResult[];
}

/** Approximate bytes: RLE counts dominate. */
function resultBytes(result: CachedResult): number {
  return result.masks.reduce((sum, m) => sum + 64 + m.rle.counts.length * 8, 64);
}

/** Finished results by request hash, bounded by bytes and expiring after the TTL. */
export class ResultCache {
  private readonly lru: LRUCache<string, CachedResult>;

  constructor(
    readonly maxBytes: number,
    ttlMs: number,
  ) {
    this.lru = new LRUCache({ maxSize: Math.max(1, maxBytes), sizeCalculation: resultBytes, ttl: ttlMs });
  }

  get(key: string): CachedResult | undefined {
    return this.lru.get(key);
  }

  set(key: string, result: CachedResult): void {
    if (this.maxBytes > 0) this.lru.set(key, result);
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }
}
