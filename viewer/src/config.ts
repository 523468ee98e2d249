import path from 'node:path';
import { z } from 'zod';
import { parseFrameAncestors } from './http/contentSecurityPolicy';

/** The repository root (this file runs from viewer/src under ts-jest or from viewer/dist/src when built). */
export const repoRoot = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);

const bool = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const httpUrl = z.url({ protocol: /^https?$/ });

/** Every environment variable the viewer server reads; docs/viewer.md documents each one. */
const envSchema = z.object({
  VIEWER_HOST: z.string().default('127.0.0.1'),
  VIEWER_PORT: int(0, 65535).default(3000),
  VIEWER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VIEWER_CACHE_DIR: z.string().default(path.join(repoRoot, '.cache')),
  // The longest proxied answer still in progress at Ctrl-C / SIGTERM is waited for this long.
  VIEWER_SHUTDOWN_TIMEOUT_MS: int(0, 600000).default(10000),
  OHIF_DIST_DIR: z.string().optional(),
  SAM2_EXTENSION_DIST_DIR: z.string().default(path.join(repoRoot, 'extension', 'dist')),
  SAM2_MODE_DIST_DIR: z.string().default(path.join(repoRoot, 'mode', 'dist')),
  DICOMWEB_URL: z.string().optional(),
  // Pages allowed to embed the viewer in a frame, besides its own origin (Content-Security-Policy).
  VIEWER_FRAME_ANCESTORS: z.string().default(''),
  SAM2_SERVICE_URL: httpUrl.default('http://127.0.0.1:5005'),
  SAM2_API_TOKEN: z.string().optional(),
  SAM2_ENABLED: bool.default(true),
  SAM2_MODALITIES: z.string().default('CT'),
  SAM2_CLIENT_TIMEOUT_MS: int(1000, 600000).default(30000),
  // The same switch the service reads: `npm start` passes one environment to both.
  SAM2_SPECULATIVE_ENCODING: bool.default(true),
  SAM2_PROXY_CONNECT_TIMEOUT_MS: int(100, 60000).default(5000),
  // Above the service's own 30 s limit, so the service's JSON 504 arrives before ours.
  SAM2_PROXY_TIMEOUT_MS: int(1000, 600000).default(35000),
});

export interface ViewerConfig {
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['VIEWER_LOG_LEVEL'];
  cacheDir: string;
  /** Longest wait for open connections after SIGTERM before they are closed by force. */
  shutdownTimeoutMs: number;
  /** A prebuilt OHIF dist/ to serve as is; when absent the pinned @ohif/app is fetched into cacheDir. */
  ohifDistDir: string | undefined;
  extensionDistDir: string;
  modeDistDir: string;
  dicomwebUrl: string | undefined;
  /** Origins allowed to frame the viewer besides its own (CSP frame-ancestors). */
  frameAncestors: string[];
  serviceUrl: string;
  apiToken: string | undefined;
  sam2Enabled: boolean;
  modalities: string[];
  clientTimeoutMs: number;
  /** `sam2.speculativeEncoding`: the viewer encodes the slice in view ahead of a click. */
  speculativeEncoding: boolean;
  proxyConnectTimeoutMs: number;
  proxyTimeoutMs: number;
}

/** Reads the configuration from the environment; throws one message naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ViewerConfig {
  // Empty strings mean "unset", so `DICOMWEB_URL=` in a compose env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const modalities = e.SAM2_MODALITIES.split(',')
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  if (modalities.length === 0) throw new Error('Invalid configuration: SAM2_MODALITIES: no modality given');
  let frameAncestors: string[];
  try {
    frameAncestors = parseFrameAncestors(e.VIEWER_FRAME_ANCESTORS);
  } catch (error) {
    throw new Error(`Invalid configuration: ${(error as Error).message}`);
  }
  return {
    host: e.VIEWER_HOST,
    port: e.VIEWER_PORT,
    logLevel: e.VIEWER_LOG_LEVEL,
    cacheDir: path.resolve(e.VIEWER_CACHE_DIR),
    shutdownTimeoutMs: e.VIEWER_SHUTDOWN_TIMEOUT_MS,
    ohifDistDir: e.OHIF_DIST_DIR === undefined ? undefined : path.resolve(e.OHIF_DIST_DIR),
    extensionDistDir: path.resolve(e.SAM2_EXTENSION_DIST_DIR),
    modeDistDir: path.resolve(e.SAM2_MODE_DIST_DIR),
    dicomwebUrl: e.DICOMWEB_URL?.replace(/\/+$/, ''),
    frameAncestors,
    serviceUrl: e.SAM2_SERVICE_URL.replace(/\/+$/, ''),
    apiToken: e.SAM2_API_TOKEN,
    sam2Enabled: e.SAM2_ENABLED,
    modalities,
    clientTimeoutMs: e.SAM2_CLIENT_TIMEOUT_MS,
    speculativeEncoding: e.SAM2_SPECULATIVE_ENCODING,
    proxyConnectTimeoutMs: e.SAM2_PROXY_CONNECT_TIMEOUT_MS,
    proxyTimeoutMs: e.SAM2_PROXY_TIMEOUT_MS,
  };
}
