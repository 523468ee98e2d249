/**
 * docker/nginx/default.conf.template for native runs: the same template the viewer image renders with the
 * official nginx image's envsubst step, rendered here the same way and served by Debian's nginx on
 * 127.0.0.1 from a temporary prefix (no root ports, no system files touched).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bodyBytesForSide } from '../../../sam2-service/src/limits';
import { contentSecurityPolicy, parseFrameAncestors } from '../../../viewer/src/http/contentSecurityPolicy';
import { deployFiles, repoRoot } from './paths';
import { canConnect, freePort, type LoggedProcess, spawnLogged, waitFor } from './processes';
import { findTool } from './tools';

/** The template's `${NAME}` placeholders, sorted. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))].sort();
}

/**
 * Substitutes like GNU envsubst given the names of `vars` as its SHELL-FORMAT (what the official image's
 * 20-envsubst-on-templates.sh does with the container's environment): `${NAME}` and `$NAME` for those
 * names only, every other `$…` (nginx's own variables) left alone. Throws when a placeholder has no value.
 */
export function renderNginxTemplate(template: string, vars: Record<string, string>): string {
  const missing = templateVariables(template).filter((name) => vars[name] === undefined);
  if (missing.length > 0) throw new Error(`nginx template: no value for ${missing.join(', ')}`);
  return template.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare)!;
      return Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : match;
    },
  );
}

/** Variables docker/nginx/10-ohif-sam2-env.envsh derives from the deployment's environment. */
export interface DerivedNginxVariables {
  ORTHANC_AUTH_HEADER: string;
  SAM2_PROXY_AUTHORIZATION: string;
  SAM2_NGINX_MAX_BODY: string;
  SAM2_NGINX_PROXY_TIMEOUT: string;
}

/** Deployment variables the derived ones come from (unset and empty both mean the default, as in sh). */
export type NginxDeploymentEnv = Partial<
  Record<
    | 'ORTHANC_USERNAME'
    | 'ORTHANC_PASSWORD'
    | 'SAM2_API_TOKEN'
    | 'SAM2_MAX_BODY'
    | 'SAM2_MAX_IMAGE_SIDE'
    | 'SAM2_REQUEST_TIMEOUT_MS'
    | 'VIEWER_FRAME_ANCESTORS',
    string
  >
>;

const fail = (message: string) => {
  throw new Error(`10-ohif-sam2-env.envsh: ${message}`);
};

/** What docker/nginx/10-ohif-sam2-env.envsh computes (the test compares both on the same inputs). */
export function deriveNginxVariables(env: NginxDeploymentEnv): DerivedNginxVariables {
  const value = (name: keyof NginxDeploymentEnv, fallback: string) => env[name] || fallback;

  const credentials = `${value('ORTHANC_USERNAME', 'orthanc')}:${value('ORTHANC_PASSWORD', '')}`;
  const token = value('SAM2_API_TOKEN', '');
  if (token && !/^[A-Za-z0-9._~+/=-]+$/.test(token)) {
    fail('SAM2_API_TOKEN may only contain A-Z a-z 0-9 . _ ~ + / = -');
  }

  let bytes: number;
  if (!env.SAM2_MAX_BODY) {
    // Derived from the side as the service derives it (sam2-service/src/limits.ts).
    const side = value('SAM2_MAX_IMAGE_SIDE', '4096');
    if (!/^\d+$/.test(side))
      fail(`SAM2_MAX_IMAGE_SIDE is not a number of pixels: ${env.SAM2_MAX_IMAGE_SIDE}`);
    if (Number(side) < 16 || Number(side) > 8192) fail(`SAM2_MAX_IMAGE_SIDE must be 16-8192: ${side}`);
    bytes = bodyBytesForSide(Number(side));
  } else {
    const size = /^(\d+(?:\.\d+)?)(b|kb|mb|gb)?$/.exec(env.SAM2_MAX_BODY.toLowerCase().replace(/[ \t]/g, ''));
    if (!size) fail(`SAM2_MAX_BODY is not a byte size: ${env.SAM2_MAX_BODY} (use e.g. 32mb)`);
    const factor = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(size![2] ?? 'b') as 'b'];
    bytes = Math.max(1, Math.trunc(Number(size![1]) * factor));
  }

  const timeoutMs = value('SAM2_REQUEST_TIMEOUT_MS', '30000');
  if (!/^\d+$/.test(timeoutMs)) {
    fail(`SAM2_REQUEST_TIMEOUT_MS is not a number of milliseconds: ${env.SAM2_REQUEST_TIMEOUT_MS}`);
  }

  return {
    ORTHANC_AUTH_HEADER: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`,
    SAM2_PROXY_AUTHORIZATION: token ? `Bearer ${token}` : '',
    SAM2_NGINX_MAX_BODY: String(bytes),
    SAM2_NGINX_PROXY_TIMEOUT: String(Math.floor((Number(timeoutMs) + 999) / 1000) + 15),
  };
}

/** What a native nginx serves and proxies to. */
export interface NginxSiteOptions {
  /** Upstreams as IPv4:port (no DNS natively), e.g. the native SAM2 service and Orthanc. */
  sam2Upstream: string;
  orthancUpstream: string;
  /** The prebuilt OHIF dist/ (e.g. the viewer workspace's .cache/ohif-app-3.13.2/dist). */
  ohifDistDir: string;
  /** The app-config.js to serve. */
  appConfigFile: string;
  /** Default: the repository's extension/dist and mode/dist. */
  extensionDistDir?: string;
  modeDistDir?: string;
  /** The deployment settings the derived variables come from (Orthanc credentials, token, limits). */
  env?: NginxDeploymentEnv;
}

/** Every template variable for a native run on 127.0.0.1:port. */
export function nativeNginxVariables(
  options: NginxSiteOptions & { port: number; accessLog?: string },
): Record<string, string> {
  for (const upstream of [options.sam2Upstream, options.orthancUpstream]) {
    if (!/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(upstream)) {
      throw new Error(
        `native nginx: upstream "${upstream}" must be IPv4:port (there is no resolver natively)`,
      );
    }
  }
  return {
    NGINX_LISTEN: `127.0.0.1:${options.port}`,
    NGINX_ACCESS_LOG: options.accessLog ?? '/dev/null',
    // Only consulted for names; the native upstreams are IP literals.
    NGINX_LOCAL_RESOLVERS: '127.0.0.1',
    OHIF_DIST_DIR: path.resolve(options.ohifDistDir),
    VIEWER_APP_CONFIG_FILE: path.resolve(options.appConfigFile),
    SAM2_EXTENSION_DIST_DIR: path.resolve(
      options.extensionDistDir ?? path.join(repoRoot, 'extension', 'dist'),
    ),
    SAM2_MODE_DIST_DIR: path.resolve(options.modeDistDir ?? path.join(repoRoot, 'mode', 'dist')),
    SAM2_UPSTREAM: options.sam2Upstream,
    ORTHANC_UPSTREAM: options.orthancUpstream,
    ...deriveNginxVariables(options.env ?? {}),
    OHIF_SAM2_CSP: nativeContentSecurityPolicy(options.ohifDistDir, options.env?.VIEWER_FRAME_ANCESTORS),
  };
}

/**
 * What docker/nginx/15-ohif-sam2-csp.envsh derives (with the viewer's CLI) for the image's DICOMWEB_URL
 * (/dicom-web, same origin): the viewer workspace's policy for this OHIF dist/.
 */
export function nativeContentSecurityPolicy(ohifDistDir: string, frameAncestors = ''): string {
  const index = path.join(ohifDistDir, 'index.html');
  return contentSecurityPolicy({
    indexHtml: existsSync(index) ? readFileSync(index, 'utf8') : '',
    dicomwebUrl: '/dicom-web',
    frameAncestors: parseFrameAncestors(frameAncestors),
  });
}

/**
 * The native stand-in for the official image's /etc/nginx/nginx.conf: everything under `prefix`, the
 * rendered template included inside `http { }` as the image includes conf.d/default.conf.
 */
export function nativeNginxMainConf(prefix: string, siteConf: string): string {
  const p = (name: string) => path.join(prefix, name);
  // As root, workers would switch to `nobody`, which cannot enter the private temporary prefix.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `# Generated by docker/test/helpers/nginx.ts for a native run.
${user}daemon off;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} notice;
events {
    worker_connections 256;
}
http {
    client_body_temp_path ${p('tmp/client_body')};
    proxy_temp_path ${p('tmp/proxy')};
    fastcgi_temp_path ${p('tmp/fastcgi')};
    uwsgi_temp_path ${p('tmp/uwsgi')};
    scgi_temp_path ${p('tmp/scgi')};
    sendfile on;
    keepalive_timeout 65;
    include ${siteConf};
}
`;
}

export interface NativeNginxFiles {
  prefix: string;
  mainConf: string;
  siteConf: string;
}

/** Renders the template and the main configuration into `prefix` (created if needed). */
export async function writeNativeNginxConfig(
  prefix: string,
  options: NginxSiteOptions & { port: number },
): Promise<NativeNginxFiles> {
  for (const dir of ['conf.d', 'tmp']) await mkdir(path.join(prefix, dir), { recursive: true });
  const siteConf = path.join(prefix, 'conf.d', 'default.conf');
  const mainConf = path.join(prefix, 'nginx.conf');
  const template = await readFile(deployFiles.nginxTemplate, 'utf8');
  const variables = nativeNginxVariables({ ...options, accessLog: path.join(prefix, 'access.log') });
  await writeFile(siteConf, renderNginxTemplate(template, variables));
  await writeFile(mainConf, nativeNginxMainConf(prefix, siteConf));
  return { prefix, mainConf, siteConf };
}

function nginxBinary(): string {
  const nginx = findTool('nginx');
  if (!nginx) throw new Error('nginx is not installed (apt-get install -y nginx)');
  return nginx;
}

const nginxArgs = (files: NativeNginxFiles) => [
  '-p',
  `${files.prefix}/`,
  '-c',
  files.mainConf,
  '-e',
  path.join(files.prefix, 'error.log'),
];

/** `nginx -t` on native files: the exit status and nginx's own words. */
export function testNginxConfig(files: NativeNginxFiles): { ok: boolean; output: string } {
  const result = spawnSync(nginxBinary(), ['-t', ...nginxArgs(files)], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface NginxProcess {
  url: string;
  port: number;
  files: NativeNginxFiles;
  process: LoggedProcess;
  /** nginx's error log so far. */
  errorLog(): string;
  /** The access log so far (the template's format: no query strings, no DICOMweb paths). */
  accessLog(): string;
  /** Stops nginx and removes its prefix. */
  stop(): Promise<void>;
}

/** Starts Debian's nginx with the rendered template on 127.0.0.1 (a free port unless `port` is given). */
export async function startNginx(options: NginxSiteOptions & { port?: number }): Promise<NginxProcess> {
  const port = options.port ?? (await freePort());
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-nginx-'));
  const files = await writeNativeNginxConfig(prefix, { ...options, port });
  const readLog = (name: string) => () => {
    try {
      return readFileSync(path.join(prefix, name), 'utf8');
    } catch {
      return '';
    }
  };
  const errorLog = readLog('error.log');
  const child = spawnLogged(nginxBinary(), nginxArgs(files));
  try {
    await waitFor(
      async () => {
        if (child.exited()) throw new Error(`nginx exited: ${child.output()}\n${errorLog()}`);
        return canConnect(port);
      },
      10000,
      () => `nginx did not listen on 127.0.0.1:${port}: ${child.output()}\n${errorLog()}`,
    );
  } catch (error) {
    await child.stop();
    await rm(prefix, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    files,
    process: child,
    errorLog,
    accessLog: readLog('access.log'),
    async stop() {
      await child.stop('SIGTERM');
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
