/**
 * `window.config.sam2` from the viewer's app-config.js, with defaults. Read on every use rather than
 * cached, so a deployment (or a test) can change it without reloading the extension.
 */
import type { HuRange, Tissue } from './tissue/huRange';
import { DEFAULT_HU_RANGES, resolveHuRanges } from './tissue/huRange';

export interface Sam2Config {
  /** false hides every SAM2 button and stops the readiness polling. */
  enabled: boolean;
  /** Base URL of the SAM2 API as seen from the browser (a same-origin proxy path by default). */
  apiBase: string;
  /** POST endpoint for segmentation; default `${apiBase}/sam2`. */
  segmentUrl: string;
  /** Speculative encoding endpoint; default `${apiBase}/sam2/encode`. */
  encodeUrl: string;
  /** Readiness endpoint polled to enable the button; default `${apiBase}/readyz`. */
  readyUrl: string;
  /** Service description with its size limits; default `${apiBase}/info`. */
  infoUrl: string;
  /** Modalities the button is enabled for (DICOM Modality of the displayed series). */
  modalities: string[];
  /** Time budget for one segmentation, retry included. */
  timeoutMs: number;
  /** Optional bearer token (SAM2_API_TOKEN); visible to anyone who can load the viewer. */
  apiToken?: string;
  /** Context selected when a mode starts. */
  defaultContext: string;
  /** HU range per tissue (`{ "skeletal-muscle" | "vat" | "sat": { min, max } }`); defaults in tissue/huRange.ts. */
  huRanges: Record<Tissue, HuRange>;
  /**
   * Encode the slice the user stays on ahead of any click (when the service offers it), so the first
   * click waits only for the decoder. false: never.
   */
  speculativeEncoding: boolean;
  /** How long the user must stay on a slice before it is encoded speculatively, ms. */
  speculationDwellMs: number;
}

export const DEFAULT_CONFIG: Sam2Config = {
  enabled: true,
  apiBase: '/api/segmentation',
  segmentUrl: '/api/segmentation/sam2',
  encodeUrl: '/api/segmentation/sam2/encode',
  readyUrl: '/api/segmentation/readyz',
  infoUrl: '/api/segmentation/info',
  modalities: ['CT'],
  timeoutMs: 30000,
  defaultContext: 'structure',
  huRanges: { ...DEFAULT_HU_RANGES },
  speculativeEncoding: true,
  // About the pause between wheel steps of a user scrolling on, so a slice scrolled past is not encoded.
  speculationDwellMs: 300,
};

function stripTrailingSlash(url: string): string {
  return url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url;
}

/** Merges a raw (untrusted, possibly partial) config object over the defaults. */
export function resolveConfig(raw: unknown): Sam2Config {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const apiBase =
    typeof r.apiBase === 'string' && r.apiBase ? stripTrailingSlash(r.apiBase) : DEFAULT_CONFIG.apiBase;
  const modalities =
    Array.isArray(r.modalities) && r.modalities.every((m) => typeof m === 'string')
      ? (r.modalities as string[]).map((m) => m.toUpperCase())
      : DEFAULT_CONFIG.modalities;
  const positive = (value: unknown, fallback: number) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
  const segmentUrl = typeof r.segmentUrl === 'string' && r.segmentUrl ? r.segmentUrl : `${apiBase}/sam2`;
  return {
    enabled: r.enabled !== false,
    apiBase,
    segmentUrl,
    encodeUrl: typeof r.encodeUrl === 'string' && r.encodeUrl ? r.encodeUrl : `${segmentUrl}/encode`,
    readyUrl: typeof r.readyUrl === 'string' && r.readyUrl ? r.readyUrl : `${apiBase}/readyz`,
    infoUrl: typeof r.infoUrl === 'string' && r.infoUrl ? r.infoUrl : `${apiBase}/info`,
    modalities,
    timeoutMs: positive(r.timeoutMs, DEFAULT_CONFIG.timeoutMs),
    apiToken: typeof r.apiToken === 'string' && r.apiToken ? r.apiToken : undefined,
    defaultContext:
      typeof r.defaultContext === 'string' && r.defaultContext
        ? r.defaultContext
        : DEFAULT_CONFIG.defaultContext,
    huRanges: resolveHuRanges(r.huRanges).ranges,
    speculativeEncoding: r.speculativeEncoding !== false,
    speculationDwellMs: positive(r.speculationDwellMs, DEFAULT_CONFIG.speculationDwellMs),
  };
}

/** The live config of the page (window.config.sam2), or the defaults outside a browser. */
export function getConfig(): Sam2Config {
  const g = globalThis as { config?: { sam2?: unknown } };
  return resolveConfig(g.config?.sam2);
}
