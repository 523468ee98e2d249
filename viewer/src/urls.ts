/** Paths the browser uses on the viewer's origin. */

/** The SAM2 API and its probes, proxied to the service with the path unchanged. */
export const SAM2_API_PREFIX = '/api/segmentation';
/** Our two bundles (the extension's and the mode's dist/). */
export const BUNDLE_URL_PREFIX = '/sam2/';
/**
 * The SAM2 readiness the extension polls (its default readyUrl). The viewer server answers it from one
 * shared probe of the service (http/readinessCache.ts) instead of proxying each poll, so many open
 * viewers polling every few seconds cost the service one readiness request per second at most.
 */
export const SAM2_READINESS_PATH = `${SAM2_API_PREFIX}/readyz`;
