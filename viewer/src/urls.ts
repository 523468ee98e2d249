/** Paths the browser uses on the viewer's origin. */

/** The SAM2 API and its probes, proxied to the service with the path unchanged. */
export const SAM2_API_PREFIX = '/api/segmentation';
/** Our two bundles (the extension's and the mode's dist/). */
export const BUNDLE_URL_PREFIX = '/sam2/';
