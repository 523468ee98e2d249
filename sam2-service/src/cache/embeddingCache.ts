import { LRUCache } from 'lru-cache';
import type { SharedEmbedding } from '../inference/protocol';

/** One encoded slice: the encoder outputs plus what a later request by `image_id` needs. */
export interface EmbeddingEntry {
  embeddings: SharedEmbedding[];
  width: number;
  height: number;
  /** Body mask at slice size, for automatic mode's grid. */
  body: Uint8Array;
  /** Encoded ahead of any click (speculative encoding); `used` once a segment request hits it. */
  speculative?: { used: boolean };
}

function entryBytes(entry: EmbeddingEntry): number {
  return entry.embeddings.reduce((sum, e) => sum + e.buffer.byteLength, 0) + entry.body.byteLength;
}

/**
 * Encoder outputs (~16 MiB per slice in fp32) bounded by bytes, least recently used out first. Keys are
 * hashes of the model input and the model identity, never anything that identifies a patient.
 */
export class EmbeddingCache {
  private readonly lru: LRUCache<string, EmbeddingEntry>;

  /** `onEvict`: an entry left the cache to make room (not replaced or deleted). */
  constructor(
    readonly maxBytes: number,
    onEvict?: (entry: EmbeddingEntry) => void,
  ) {
    this.lru = new LRUCache({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: entryBytes,
      ...(onEvict ? { dispose: (entry, _key, reason) => reason === 'evict' && onEvict(entry) } : {}),
    });
  }

  get(key: string): EmbeddingEntry | undefined {
    return this.lru.get(key);
  }

  set(key: string, entry: EmbeddingEntry): void {
    if (this.maxBytes > 0) this.lru.set(key, entry);
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  get size(): number {
    return this.lru.size;
  }
}
