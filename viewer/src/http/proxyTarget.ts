import path from 'node:path';
import { SAM2_API_PREFIX } from '../urls';

/** The service's routes below the prefix (docs/api.md); anything else is logged as `/api/segmentation/*`. */
const knownRoutes = new Set(['sam2', 'readyz', 'health', 'info'].map((r) => `${SAM2_API_PREFIX}/${r}`));

/** One path segment as the service's routes spell them: no percent-encoding, no dot-only or hidden names. */
const plainSegment = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

export type ProxyTarget =
  | { ok: true; target: string; route: string }
  | { ok: false; status: 400 | 404; code: string; message: string };

/** True for request targets in the proxy's namespace (including malformed ones it must refuse itself). */
export function isProxyRequest(rawTarget: string, parsedPath: string): boolean {
  const rawPath = rawTarget.split('?', 1)[0];
  return rawPath.startsWith(SAM2_API_PREFIX) || parsedPath.startsWith(SAM2_API_PREFIX);
}

/** How requests to other or refused paths are logged. */
export const OTHER_ROUTE = `${SAM2_API_PREFIX}/*`;

/** The route template a request is logged under: never the raw path, which may carry anything. */
export function routeTemplate(normalisedPath: string): string {
  return knownRoutes.has(normalisedPath) ? normalisedPath : OTHER_ROUTE;
}

/**
 * What the proxy sends upstream for a browser's request target (RFC 9112 §3.2): only origin-form, the
 * dot segments removed (RFC 3986 §5.2.4), and only below `/api/segmentation`; the query is kept as sent.
 * Percent-encoded, backslash or empty segments are refused rather than decoded: the service has no route
 * that needs them, and decoding twice (here and upstream) is how `%2e%2e` escapes a prefix.
 * Errors: 400 INVALID_PATH for a target that is not a plain path, 404 NOT_FOUND for one outside the prefix.
 */
export function proxyTarget(rawTarget: string): ProxyTarget {
  if (!rawTarget.startsWith('/')) {
    return invalid('the request target must be a path (origin-form), not an absolute URL');
  }
  const queryAt = rawTarget.indexOf('?');
  const rawPath = queryAt === -1 ? rawTarget : rawTarget.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rawTarget.slice(queryAt);
  const segments = rawPath.split('/').slice(1);
  const literal = (s: string) => s === '.' || s === '..' || plainSegment.test(s);
  if (!segments.every((s, i) => literal(s) || (s === '' && i === segments.length - 1))) {
    return invalid('path segments may use only A-Z a-z 0-9 . _ ~ - (no percent-encoding)');
  }
  const normalised = path.posix.normalize(rawPath).replace(/(.)\/$/, '$1');
  if (normalised !== SAM2_API_PREFIX && !normalised.startsWith(`${SAM2_API_PREFIX}/`)) {
    return { ok: false, status: 404, code: 'NOT_FOUND', message: `not below ${SAM2_API_PREFIX}` };
  }
  return { ok: true, target: normalised + query, route: routeTemplate(normalised) };
}

function invalid(message: string): ProxyTarget {
  return { ok: false, status: 400, code: 'INVALID_PATH', message };
}
