/**
 * The service's size limits (GET /info → capabilities.max_image_side, max_body_bytes), so a slice the
 * service would refuse is refused here, before its pixels are encoded and uploaded; and whether it
 * offers speculative encoding (capabilities.speculative_encoding).
 */
import { Sam2Error } from './errors';
import type { SegmentRequest } from './types';

export interface ServiceLimits {
  /** Largest accepted width and height, pixels. */
  maxImageSide: number;
  /** Largest accepted request body, bytes. */
  maxBodyBytes: number;
  /** POST …/sam2/encode is on (absent or not `true` in /info: off, an older service). */
  speculativeEncoding?: boolean;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Reads the limits from /info; undefined when the answer is missing or not the service's. */
export async function fetchServiceLimits(
  url: string,
  { timeoutMs = 5000, fetchImpl }: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
): Promise<ServiceLimits | undefined> {
  const doFetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await doFetch(url, { signal: controller.signal, cache: 'no-store' });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { capabilities?: Record<string, unknown> };
    const maxImageSide = positive(body?.capabilities?.max_image_side);
    const maxBodyBytes = positive(body?.capabilities?.max_body_bytes);
    const speculativeEncoding = body?.capabilities?.speculative_encoding === true;
    return maxImageSide && maxBodyBytes ? { maxImageSide, maxBodyBytes, speculativeEncoding } : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Remembers the limits for `ttlMs` (they change only when the service restarts with new settings). */
export class ServiceLimitsCache {
  private value?: { limits: ServiceLimits; at: number };
  constructor(
    private readonly load: () => Promise<ServiceLimits | undefined>,
    private readonly ttlMs = 5 * 60 * 1000,
  ) {}

  async get(now = Date.now()): Promise<ServiceLimits | undefined> {
    if (this.value && now - this.value.at < this.ttlMs) return this.value.limits;
    const limits = await this.load();
    this.value = limits ? { limits, at: now } : undefined;
    return limits;
  }

  /** The service refused a size the cached limits allowed: read them again next time. */
  forget(): void {
    this.value = undefined;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A too-large error when width or height exceed the service's side. */
export function checkSliceSide(limits: ServiceLimits | undefined, width: number, height: number): void {
  if (!limits || (width <= limits.maxImageSide && height <= limits.maxImageSide)) return;
  const max = limits.maxImageSide;
  throw new Sam2Error(
    'too-large',
    `This slice is ${width} × ${height} pixels; the SAM2 service accepts at most ${max} × ${max}.`,
    { details: { width, height, max_image_side: max } },
  );
}

/**
 * Exact UTF-8 size of the request's JSON: the base64 text (ASCII, never escaped) plus the rest,
 * without serialising the pixels twice.
 */
export function requestBodyBytes(request: SegmentRequest): number {
  const rest = JSON.stringify({ ...request, image_data: '' });
  return (request.image_data?.length ?? 0) + new TextEncoder().encode(rest).length;
}

/** A too-large error when the request's body exceeds the service's body limit. */
export function checkBodySize(limits: ServiceLimits | undefined, request: SegmentRequest): void {
  if (!limits) return;
  const bytes = requestBodyBytes(request);
  if (bytes <= limits.maxBodyBytes) return;
  throw new Sam2Error(
    'too-large',
    `This slice needs a ${megabytes(bytes)} upload; the SAM2 service accepts at most ${megabytes(limits.maxBodyBytes)}.`,
    { details: { body_bytes: bytes, max_body_bytes: limits.maxBodyBytes } },
  );
}
