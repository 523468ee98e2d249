import { createHash } from 'node:crypto';

/**
 * Content-Security-Policy of the viewer (the Node viewer server and the image's nginx send the same one).
 * What the stock OHIF 3.13 app needs, read from its bundle and checked in Chromium (e2e tests run under it):
 * - script-src: its own files, the two inline scripts of index.html (by hash), blob: (ONNX Runtime Web
 *   and the codec loaders import worker code from blob: URLs), 'wasm-unsafe-eval' (WebAssembly codecs,
 *   ONNX Runtime Web) and 'unsafe-eval' (the Emscripten embind glue of the codec WASM builds creates
 *   functions with `new Function`);
 * - worker-src 'self' blob: (decode workers, ORT's proxy worker);
 * - style-src 'unsafe-inline' (React style attributes and injected style tags);
 * - img-src/font-src data: and blob: (icons, canvas exports);
 * - connect-src: this origin, plus the DICOMweb server's origin when DICOMWEB_URL is absolute.
 * frame-ancestors is 'self' plus VIEWER_FRAME_ANCESTORS: only these pages may embed the viewer
 * (clickjacking); object-src, base-uri and form-action are closed.
 */
export interface CspOptions {
  /** The OHIF index.html, for the hashes of its inline scripts. */
  indexHtml: string;
  /** DICOMWEB_URL, if any: an absolute one adds its origin to connect-src. */
  dicomwebUrl?: string;
  /** Extra sources allowed to frame the viewer, e.g. ["https://ris.example.org"]. */
  frameAncestors: string[];
}

/** A frame-ancestors source we accept: a scheme+host[:port] (host may start with `*.`), or 'none'. */
const ancestorSource = /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** Splits VIEWER_FRAME_ANCESTORS (space- or comma-separated origins); throws naming a bad entry. */
export function parseFrameAncestors(value: string): string[] {
  const sources = value.split(/[\s,]+/).filter(Boolean);
  for (const source of sources) {
    if (!ancestorSource.test(source)) {
      throw new Error(`VIEWER_FRAME_ANCESTORS: "${source}" is not an origin such as https://ris.example.org`);
    }
  }
  return sources;
}

/** 'sha256-…' of every inline <script> (no src) of an HTML page (CSP Level 2 hash sources). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(match[1] ?? '')) continue;
    hashes.push(`'sha256-${createHash('sha256').update(match[2], 'utf8').digest('base64')}'`);
  }
  return hashes;
}

export function contentSecurityPolicy(opts: CspOptions): string {
  const connect = ["'self'"];
  if (opts.dicomwebUrl && /^https?:\/\//i.test(opts.dicomwebUrl))
    connect.push(new URL(opts.dicomwebUrl).origin);
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    [
      'script-src',
      "'self'",
      ...inlineScriptHashes(opts.indexHtml),
      'blob:',
      "'wasm-unsafe-eval'",
      "'unsafe-eval'",
    ],
    ['worker-src', "'self'", 'blob:'],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    ['font-src', "'self'", 'data:'],
    ['media-src', "'self'", 'data:', 'blob:'],
    ['connect-src', ...connect, 'data:', 'blob:'],
    ['object-src', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'self'", ...opts.frameAncestors],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}
