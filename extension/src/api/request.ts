/**
 * Builds the body of POST /api/segmentation/sam2 for one slice: either the pixels (with rescale, the
 * window and its VOI LUT function, photometric and invert: what the user sees) or, when the service
 * already encoded this slice with this display, its image_id (docs/api.md "Reusing a slice").
 */
import type { WindowPreset } from '../contexts';
import type { ImageLike } from '../imaging/pixels';
import { buildPixelPayload } from '../imaging/pixels';
import type { Photometric, Prompts, SegmentRequest, SliceContextFields } from './types';

export interface RequestInput {
  image: ImageLike;
  rescaleFallback?: { slope?: number; intercept?: number };
  window?: WindowPreset;
  photometric: Photometric;
  /** The viewer shows low values bright; undefined: the service follows `photometric`. */
  invert?: boolean;
  identity: SliceContextFields;
  prompts?: Prompts;
  /** The service's image_id for these pixels + window, when known: then no pixels are sent. */
  cachedImageId?: string;
}

/** Automatic mode is "no prompts": the field is left out rather than sent empty. */
function promptsField(prompts: Prompts | undefined): Pick<SegmentRequest, 'prompts'> {
  if (!prompts) return {};
  const out: Prompts = {};
  if (prompts.points?.length) out.points = prompts.points;
  if (prompts.box) out.box = prompts.box;
  return out.points || out.box ? { prompts: out } : {};
}

export function buildSegmentRequest(input: RequestInput): SegmentRequest {
  const common = { ...promptsField(input.prompts), ...input.identity };
  if (input.cachedImageId) return { image_id: input.cachedImageId, ...common };
  return {
    ...buildPixelPayload(input.image, input.rescaleFallback),
    ...(input.window
      ? {
          window: {
            center: input.window.center,
            width: input.window.width,
            voi_lut_function: input.window.voiLutFunction ?? 'LINEAR',
          },
        }
      : {}),
    photometric: input.photometric,
    ...(input.invert !== undefined ? { invert: input.invert } : {}),
    ...common,
  };
}

/**
 * Key of the "what the encoder saw" identity on the client side: the same slice sent with another
 * window, VOI LUT function, photometric or invert is another image for the service.
 */
export function encodingKey(
  imageId: string,
  window: WindowPreset | undefined,
  photometric: Photometric,
  invert?: boolean,
): string {
  const w = window ? `${window.center}/${window.width}/${window.voiLutFunction ?? 'LINEAR'}` : 'default';
  return `${imageId}|${w}|${photometric}|${invert ?? 'header'}`;
}

/** Remembers the service's image_id per encoding key (bounded, oldest dropped first). */
export class ImageIdCache {
  private readonly entries = new Map<string, string>();
  constructor(private readonly maxEntries = 64) {}

  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, imageId: string): void {
    this.entries.delete(key);
    this.entries.set(key, imageId);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  /** Whether the key is known, without refreshing its place. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
