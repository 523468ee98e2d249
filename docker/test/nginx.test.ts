/**
 * docker/nginx/default.conf.template: rendered as the image renders it, validated with `nginx -t`, and
 * served by Debian's nginx on 127.0.0.1 in front of fake upstreams that record what they receive.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  deployFiles,
  deriveNginxVariables,
  describeWithTools,
  freePort,
  type NginxDeploymentEnv,
  type NginxProcess,
  nativeContentSecurityPolicy,
  nativeNginxVariables,
  renderNginxTemplate,
  repoRoot,
  startNginx,
  templateVariables,
  testNginxConfig,
  writeNativeNginxConfig,
} from './helpers';

const template = readFileSync(deployFiles.nginxTemplate, 'utf8');

const derivedNames = [
  'ORTHANC_AUTH_HEADER',
  'SAM2_PROXY_AUTHORIZATION',
  'SAM2_NGINX_MAX_BODY',
  'SAM2_NGINX_PROXY_TIMEOUT',
] as const;

/** Sources the image's envsh in sh with `env`; its derived variables, or its error. */
function sourceEnvScript(env: NginxDeploymentEnv): {
  code: number;
  values: Record<string, string>;
  stderr: string;
} {
  const script = `. "${deployFiles.nginxEnvScript}"; ${derivedNames.map((n) => `printf '%s\\n' "$${n}"`).join('; ')}`;
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const result = spawnSync('sh', ['-c', script], {
    // Given, so the result does not depend on this machine's /etc/resolv.conf.
    env: { PATH: process.env.PATH ?? '', NGINX_LOCAL_RESOLVERS: '127.0.0.11', ...clean },
    encoding: 'utf8',
  });
  const lines = result.stdout.split('\n');
  return {
    code: result.status ?? -1,
    values: Object.fromEntries(derivedNames.map((n, i) => [n, lines[i] ?? ''])),
    stderr: result.stderr.trim(),
  };
}

describe('nginx template', () => {
  it('has exactly the documented placeholders', () => {
    expect(templateVariables(template)).toEqual(
      [
        'NGINX_ACCESS_LOG',
        'NGINX_LISTEN',
        'NGINX_LOCAL_RESOLVERS',
        'OHIF_DIST_DIR',
        'OHIF_SAM2_CSP',
        'ORTHANC_AUTH_HEADER',
        'ORTHANC_UPSTREAM',
        'SAM2_EXTENSION_DIST_DIR',
        'SAM2_MODE_DIST_DIR',
        'SAM2_NGINX_MAX_BODY',
        'SAM2_NGINX_PROXY_TIMEOUT',
        'SAM2_PROXY_AUTHORIZATION',
        'SAM2_UPSTREAM',
        'VIEWER_APP_CONFIG_FILE',
      ].sort(),
    );
  });

  it('renders only its placeholders and leaves nginx variables alone', () => {
    const vars = nativeNginxVariables({
      port: 8080,
      sam2Upstream: '127.0.0.1:5005',
      orthancUpstream: '127.0.0.1:8042',
      ohifDistDir: '/srv/ohif',
      appConfigFile: '/srv/app-config.js',
    });
    const out = renderNginxTemplate(template, vars);
    expect(out).not.toMatch(/\$\{[A-Z_]+\}/);
    expect(out).toContain('listen 127.0.0.1:8080;');
    expect(out).toContain('set $ohif_sam2_service 127.0.0.1:5005;');
    expect(out).toContain('proxy_set_header Authorization "";'); // no token: the browser's header is dropped
    expect(out).toContain('$http_host');
    expect(() => renderNginxTemplate(template, { NGINX_LISTEN: '80' })).toThrow(
      /no value for .*OHIF_DIST_DIR/,
    );
  });

  it('uses only lower-case nginx variables, which no container environment variable can shadow', () => {
    // envsubst in the image substitutes $NAME for every variable of the container's environment.
    const bare = [...template.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect(bare.length).toBeGreaterThan(10);
    expect(bare.filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it('refuses host names natively (there is no resolver outside Docker)', () => {
    expect(() =>
      nativeNginxVariables({
        port: 1,
        sam2Upstream: 'sam2-service:5005',
        orthancUpstream: '127.0.0.1:8042',
        ohifDistDir: '/x',
        appConfigFile: '/x/a.js',
      }),
    ).toThrow(/IPv4:port/);
  });
});

describe('derived variables: the image script (sh) and the native renderer agree', () => {
  const cases: NginxDeploymentEnv[] = [
    {},
    { ORTHANC_USERNAME: 'alice', ORTHANC_PASSWORD: 'pä ss:wörd' },
    { SAM2_API_TOKEN: 'abc.DEF_123~+/=-', SAM2_MAX_BODY: '1.5mb', SAM2_REQUEST_TIMEOUT_MS: '600000' },
    { SAM2_MAX_BODY: '512 KB', SAM2_REQUEST_TIMEOUT_MS: '100' },
    { SAM2_MAX_BODY: '1048576' },
    { SAM2_MAX_BODY: '2gb' },
    { SAM2_MAX_BODY: '0' },
    { SAM2_MAX_BODY: '', SAM2_REQUEST_TIMEOUT_MS: '', SAM2_API_TOKEN: '', ORTHANC_USERNAME: '' },
    { SAM2_MAX_IMAGE_SIDE: '256' },
    { SAM2_MAX_IMAGE_SIDE: '8192', SAM2_MAX_BODY: '' },
    { SAM2_MAX_IMAGE_SIDE: '512', SAM2_MAX_BODY: '32mb' },
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c]))('%s', (_name, env) => {
    const fromScript = sourceEnvScript(env);
    expect(fromScript.stderr).toBe('');
    expect(fromScript.code).toBe(0);
    expect(fromScript.values).toEqual(deriveNginxVariables(env));
  });

  it('takes the DNS servers from /etc/resolv.conf unless NGINX_LOCAL_RESOLVERS is given', () => {
    let resolvConf = '';
    try {
      resolvConf = readFileSync('/etc/resolv.conf', 'utf8');
    } catch {
      // none on this machine
    }
    const servers = [...resolvConf.matchAll(/^nameserver\s+(\S+)/gm)].map((m) =>
      m[1].includes(':') ? `[${m[1]}]` : m[1],
    );
    const run = (extra: Record<string, string>) =>
      spawnSync('sh', ['-c', `. "${deployFiles.nginxEnvScript}"; printf '%s' "$NGINX_LOCAL_RESOLVERS"`], {
        env: { PATH: process.env.PATH ?? '', ...extra },
        encoding: 'utf8',
      });
    const derived = run({});
    if (servers.length > 0) expect(derived.stdout).toBe(servers.join(' '));
    else expect(derived.stderr).toMatch(/no nameserver in \/etc\/resolv.conf/);
    expect(run({ NGINX_LOCAL_RESOLVERS: '10.0.0.2 [::1]' }).stdout).toBe('10.0.0.2 [::1]');
  });

  it('defaults: a body limit that holds a 4096² float32 slice, 45 s proxy timeout, no bearer token', () => {
    expect(deriveNginxVariables({})).toEqual({
      ORTHANC_AUTH_HEADER: `Basic ${Buffer.from('orthanc:').toString('base64')}`,
      SAM2_PROXY_AUTHORIZATION: '',
      // 4 × ceil(4096² × 4 / 3) = 89,478,488 base64 characters + 16 KiB for the rest of the JSON.
      SAM2_NGINX_MAX_BODY: String(89_478_488 + 16_384),
      SAM2_NGINX_PROXY_TIMEOUT: '45',
    });
  });

  const bad: [string, NginxDeploymentEnv, RegExp][] = [
    ['a token nginx cannot quote', { SAM2_API_TOKEN: 'a"b$c' }, /SAM2_API_TOKEN may only contain/],
    ['a body size that is not one', { SAM2_MAX_BODY: '32 megabytes' }, /SAM2_MAX_BODY is not a byte size/],
    ['a side that is not a number', { SAM2_MAX_IMAGE_SIDE: '4k' }, /SAM2_MAX_IMAGE_SIDE is not a number/],
    ['a side out of range', { SAM2_MAX_IMAGE_SIDE: '9000' }, /SAM2_MAX_IMAGE_SIDE must be 16-8192/],
    ['a timeout that is not a number', { SAM2_REQUEST_TIMEOUT_MS: '30s' }, /SAM2_REQUEST_TIMEOUT_MS is not/],
  ];
  it.each(bad)('both refuse %s', (_name, env, message) => {
    const fromScript = sourceEnvScript(env);
    expect(fromScript.code).toBe(1);
    expect(fromScript.stderr).toMatch(message);
    expect(() => deriveNginxVariables(env)).toThrow(message);
  });
});

describe('Content-Security-Policy: the image script (viewer CLI) and the native renderer agree', () => {
  const ohifDist = path.join(repoRoot, '.cache', 'ohif-app-3.13.2', 'dist');
  const cli = path.join(repoRoot, 'viewer', 'dist', 'src', 'cli', 'renderCsp.js');
  const sourceCspScript = (env: Record<string, string>) =>
    spawnSync('sh', ['-c', `. "${deployFiles.nginxCspScript}"; printf '%s' "$OHIF_SAM2_CSP"`], {
      env: { PATH: process.env.PATH ?? '', OHIF_SAM2_APP_DIR: repoRoot, DICOMWEB_URL: '/dicom-web', ...env },
      encoding: 'utf8',
    });
  const itWithBuild = existsSync(cli) && existsSync(ohifDist) ? it : it.skip;
  if (!existsSync(cli) || !existsSync(ohifDist)) {
    console.warn(
      `SKIPPED CSP script check: needs ${cli} (npm run build) and ${ohifDist} (npm run viewer:fetch)`,
    );
  }

  itWithBuild('for the pinned OHIF dist/, with and without extra frame ancestors', () => {
    for (const ancestors of ['', 'https://ris.example.org https://*.pacs.example.org:8443']) {
      const result = sourceCspScript({ OHIF_DIST_DIR: ohifDist, VIEWER_FRAME_ANCESTORS: ancestors });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(nativeContentSecurityPolicy(ohifDist, ancestors));
      expect(result.stdout).toContain(`frame-ancestors 'self'${ancestors ? ` ${ancestors}` : ''}`);
      // One hash per inline script of the pinned index.html.
      expect(result.stdout.match(/'sha256-/g)).toHaveLength(2);
    }
  });

  itWithBuild('refuses a frame ancestor that is not an origin (the container does not start)', () => {
    const result = sourceCspScript({
      OHIF_DIST_DIR: ohifDist,
      VIEWER_FRAME_ANCESTORS: "https://x.org 'unsafe-inline'",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/VIEWER_FRAME_ANCESTORS: "'unsafe-inline'" is not an origin/);
  });
});

describeWithTools(
  'nginx template: GNU envsubst (what the official image runs) gives the same text',
  ['envsubst'],
  () => {
    it('matches renderNginxTemplate byte for byte', () => {
      const vars = nativeNginxVariables({
        port: 18080,
        sam2Upstream: '127.0.0.1:5005',
        orthancUpstream: '127.0.0.1:8042',
        ohifDistDir: '/srv/ohif',
        appConfigFile: '/srv/app-config.js',
        env: { SAM2_API_TOKEN: 'tok', ORTHANC_PASSWORD: 'pw' },
      });
      // 20-envsubst-on-templates.sh: envsubst "$(printf '${%s} ' <every variable of the environment>)"
      const shellFormat = Object.keys(vars)
        .map((n) => `\${${n}}`)
        .join(' ');
      const result = spawnSync('envsubst', [shellFormat], { input: template, env: vars, encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(renderNginxTemplate(template, vars)).toBe(result.stdout);
    });
  },
);

/** Records every request; answers JSON describing it (or what `respond` says). */
function recordingUpstream(name: string) {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Upstream': name });
      res.end(JSON.stringify({ upstream: name, url: req.url }));
    });
  });
  return {
    seen,
    server,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeWithTools('nginx template on Debian nginx (127.0.0.1)', ['nginx'], () => {
  let work: string;
  let nginx: NginxProcess;
  const sam2 = recordingUpstream('sam2');
  const orthanc = recordingUpstream('orthanc');
  const bigScript = `// padding\n${'console.log("OHIF");\n'.repeat(400)}`;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-nginx-test-'));
    const dist = path.join(work, 'ohif');
    const ext = path.join(work, 'extension');
    const mode = path.join(work, 'mode');
    for (const dir of [dist, ext, mode]) await mkdir(dir, { recursive: true });
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>OHIF</title>');
    await writeFile(path.join(dist, 'app.bundle.0123456789abcdef.js'), bigScript);
    await writeFile(path.join(dist, 'worker.mjs'), 'export {};');
    await writeFile(path.join(dist, 'codec.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    await writeFile(path.join(dist, 'manifest.json'), '{}');
    await writeFile(path.join(ext, 'ohif-sam2-extension.js'), 'export default { id: "sam2" };');
    await writeFile(path.join(mode, 'ohif-sam2-mode.js'), 'export default { id: "sam2-mode" };');
    await writeFile(path.join(work, 'app-config.js'), 'window.config = { sam2: { enabled: false } };');
    nginx = await startNginx({
      sam2Upstream: await sam2.listen(),
      orthancUpstream: await orthanc.listen(),
      ohifDistDir: dist,
      appConfigFile: path.join(work, 'app-config.js'),
      extensionDistDir: ext,
      modeDistDir: mode,
      env: {
        SAM2_API_TOKEN: 'deployment-token',
        SAM2_MAX_BODY: '4kb',
        ORTHANC_USERNAME: 'pacs',
        ORTHANC_PASSWORD: 'pw',
      },
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([sam2.close(), orthanc.close()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('passes nginx -t without warnings', async () => {
    const check = testNginxConfig(nginx.files);
    expect(check.output).toMatch(/syntax is ok/);
    expect(check.output).toMatch(/test is successful/);
    expect(check.ok).toBe(true);
    expect(check.output).not.toMatch(/\[warn\]|\[emerg\]/);
  });

  it('also passes nginx -t rendered with the default limits', async () => {
    const prefix = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-nginx-t-'));
    try {
      const files = await writeNativeNginxConfig(prefix, {
        port: await freePort(),
        sam2Upstream: '127.0.0.1:5005',
        orthancUpstream: '127.0.0.1:8042',
        ohifDistDir: path.join(work, 'ohif'),
        appConfigFile: path.join(work, 'app-config.js'),
      });
      expect(testNginxConfig(files)).toMatchObject({ ok: true });
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });

  it('serves the viewer cross-origin isolated, with the SPA fallback and the cache policy', async () => {
    const index = await fetch(`${nginx.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>OHIF</title>');
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(index.headers.get('content-security-policy')).toMatch(/(^|; )frame-ancestors 'self'$/);
    expect(index.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(index.headers.get('cache-control')).toBe('no-cache');

    const route = await fetch(`${nginx.url}/segmentation/dicomweb?StudyInstanceUIDs=1.2.3`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>OHIF</title>');

    const missing = await fetch(`${nginx.url}/stale.0123456789abcdee.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('sends JavaScript, ES modules and WebAssembly with their MIME types, gzipped when large', async () => {
    const js = await fetch(`${nginx.url}/app.bundle.0123456789abcdef.js`, {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(js.headers.get('content-type')).toBe('text/javascript');
    expect(js.headers.get('content-encoding')).toBe('gzip');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe(bigScript); // fetch decompresses
    expect((await fetch(`${nginx.url}/worker.mjs`)).headers.get('content-type')).toBe('text/javascript');
    const wasm = await fetch(`${nginx.url}/codec.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('serves the rendered app-config.js and both bundles under /sam2/, revalidated', async () => {
    const config = await fetch(`${nginx.url}/app-config.js`);
    expect(await config.text()).toContain('enabled: false');
    expect(config.headers.get('content-type')).toBe('text/javascript');
    expect(config.headers.get('cache-control')).toBe('no-cache');
    const ext = await fetch(`${nginx.url}/sam2/ohif-sam2-extension.js`);
    expect(await ext.text()).toContain('"sam2"');
    expect(ext.headers.get('cache-control')).toBe('no-cache');
    expect(await (await fetch(`${nginx.url}/sam2/ohif-sam2-mode.js`)).text()).toContain('"sam2-mode"');
    expect((await fetch(`${nginx.url}/sam2/other.js`)).status).toBe(404);
    expect((await fetch(`${nginx.url}/sam2/../index.html`)).status).toBe(200); // normalised: no escape
  });

  it('proxies /api/segmentation/ with the path and body unchanged and the deployment token', async () => {
    const body = JSON.stringify({
      image_id: 'a'.repeat(64),
      prompts: { points: [{ x: 1, y: 2, label: 1 }] },
    });
    const res = await fetch(`${nginx.url}/api/segmentation/sam2?trace=1`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Bearer from-the-browser',
        Cookie: 'sid=1',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('sam2');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const got = sam2.seen.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/api/segmentation/sam2?trace=1', body });
    expect(got.headers.authorization).toBe('Bearer deployment-token');
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers['x-forwarded-for']).toBe('127.0.0.1');

    await fetch(`${nginx.url}/api/segmentation/readyz`);
    expect(sam2.seen.at(-1)!.url).toBe('/api/segmentation/readyz');
  });

  it('answers a body over SAM2_MAX_BODY with the service-style JSON 413', async () => {
    const res = await fetch(`${nginx.url}/api/segmentation/sam2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image_data: 'A'.repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await res.json()).toEqual({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is larger than SAM2_MAX_BODY.',
        details: { limit_bytes: 4096 },
      },
    });
  });

  it('proxies /dicom-web/ to Orthanc with Orthanc credentials the browser never holds', async () => {
    const res = await fetch(`${nginx.url}/dicom-web/studies?PatientID=X&includefield=all`, {
      headers: { Authorization: 'Basic YnJvd3Nlcjp4', Cookie: 'a=b' },
    });
    expect(res.status).toBe(200);
    const got = orthanc.seen.at(-1)!;
    expect(got.url).toBe('/dicom-web/studies?PatientID=X&includefield=all');
    expect(got.headers.authorization).toBe(`Basic ${Buffer.from('pacs:pw').toString('base64')}`);
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers.host).toBe(`127.0.0.1:${nginx.port}`);
    expect(got.headers.forwarded).toBe(`host=127.0.0.1:${nginx.port};proto=http`);
  });

  it('allows only reads and STOW on /dicom-web/ and never the plugin client API', async () => {
    const before = orthanc.seen.length;
    expect((await fetch(`${nginx.url}/dicom-web/studies/1.2.3`, { method: 'DELETE' })).status).toBe(403);
    expect((await fetch(`${nginx.url}/dicom-web/servers`)).status).toBe(403);
    expect((await fetch(`${nginx.url}/dicom-web/servers/pacs/retrieve`, { method: 'POST' })).status).toBe(
      403,
    );
    expect(orthanc.seen.length).toBe(before);
    const stow = await fetch(`${nginx.url}/dicom-web/studies`, { method: 'POST', body: 'x' });
    expect(stow.status).toBe(200);
  });

  it('logs no query strings (StudyInstanceUIDs) and no DICOMweb paths', () => {
    const log = nginx.accessLog();
    expect(log).toContain('"POST /api/segmentation/sam2" 200');
    expect(log).toContain('"GET /dicom-web/servers" 403'); // refused calls are logged
    expect(log).not.toMatch(/StudyInstanceUIDs|1\.2\.3|trace=1|PatientID|\/dicom-web\/studies/);
  });

  it('answers the service-style JSON 503 when the SAM2 service is down', async () => {
    await sam2.close();
    const res = await fetch(`${nginx.url}/api/segmentation/readyz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(((await res.json()) as any).error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { upstream: 'sam2-service' },
    });
  });
});
