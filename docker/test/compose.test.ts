/**
 * docker-compose.yml (+ docker-compose.gpu.yml) validated by docker-compose 1.29's own `config` with the
 * values of .env.example, and the resolved model checked field by field.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocatorEnv } from '../../sam2-service/src/allocatorEnv';
import {
  composeConfig,
  deployFiles,
  describeWithTools,
  imageCommands,
  memoryBytes,
  repoRoot,
  runComposeConfig,
} from './helpers';

/** Every variable sam2-service/src/config.ts reads. */
const serviceVariables = [
  ...readFileSync(path.join(repoRoot, 'sam2-service', 'src', 'config.ts'), 'utf8')
    .split('const envSchema = z.object({')[1]
    .split('\n});')[0]
    .matchAll(/^\s+(SAM2_[A-Z0-9_]+):/gm),
].map((m) => m[1]);

/** NAME=value lines of .env.example. */
const envExample = Object.fromEntries(
  readFileSync(deployFiles.envExample, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

const composeSources = [deployFiles.compose, deployFiles.composeGpu].map((f) => readFileSync(f, 'utf8'));

const GiB = 1024 ** 3;
const longRunning = ['orthanc', 'sam2-service', 'viewer'];

describe('.env.example', () => {
  it('lists every SAM2_* variable of the service configuration', () => {
    expect(serviceVariables.length).toBeGreaterThan(20);
    // SAM2_MODEL_DIR is derived from SAM2_MODEL_VARIANT in the containers; the file says so.
    const missing = serviceVariables.filter((name) => !(name in envExample) && name !== 'SAM2_MODEL_DIR');
    expect(missing).toEqual([]);
    expect(readFileSync(deployFiles.envExample, 'utf8')).toMatch(/SAM2_MODEL_DIR=\/models\/<variant>/);
  });

  it('gives every variable the compose files use, with the compose default as its value', () => {
    const defaults = new Map<string, string | undefined>();
    for (const source of composeSources) {
      for (const match of source.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*)|:\?[^}]*)?\}/g)) {
        defaults.set(match[1], match[2]);
      }
    }
    expect(defaults.size).toBeGreaterThan(30);
    for (const [name, fallback] of defaults) {
      expect([name, name in envExample]).toEqual([name, true]);
      if (fallback !== undefined) expect([name, envExample[name]]).toEqual([name, fallback]);
    }
    expect(defaults.get('ORTHANC_PASSWORD')).toBeUndefined(); // required: no default password
  });
});

describeWithTools('docker-compose config (docker-compose 1.29)', ['docker-compose', 'python3yaml'], () => {
  let config: any;
  let gpu: any;

  beforeAll(() => {
    config = composeConfig([deployFiles.compose]);
    gpu = composeConfig([deployFiles.compose, deployFiles.composeGpu]);
  });

  it('has the three services, the model-fetch one-shot and the optional Prometheus', () => {
    expect(Object.keys(config.services).sort()).toEqual(
      ['model-fetch', 'orthanc', 'prometheus', 'sam2-service', 'viewer'].sort(),
    );
    expect(config.services['model-fetch'].profiles).toEqual(['model-fetch']);
    expect(config.services.prometheus.profiles).toEqual(['monitoring']);
    for (const name of longRunning) expect(config.services[name].profiles).toBeUndefined();
  });

  it('runs the same commands as the images and the native tests', () => {
    expect(config.services['sam2-service'].command).toEqual([...imageCommands.service]);
    expect(config.services['model-fetch'].command).toEqual([...imageCommands.modelFetch]);
    expect(config.services.orthanc.command).toEqual([...imageCommands.orthanc]);
    expect(config.services['sam2-service'].healthcheck.test).toEqual([
      'CMD',
      ...imageCommands.serviceHealthcheck,
    ]);
    expect(config.services['model-fetch'].image).toBe(config.services['sam2-service'].image);
  });

  it('gives every long-running service a health check, a restart policy and limits', () => {
    for (const name of longRunning) {
      const service = config.services[name];
      expect([name, service.healthcheck.test[0]]).toEqual([name, 'CMD']);
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
      expect([name, Number(service.deploy.resources.limits.cpus)]).toEqual([name, expect.any(Number)]);
      expect(memoryBytes(service.deploy.resources.limits.memory)).toBeGreaterThan(0);
      expect(service.logging.options['max-size']).toBe('10m');
    }
    expect(
      memoryBytes(config.services['sam2-service'].deploy.resources.limits.memory),
    ).toBeGreaterThanOrEqual(4 * GiB);
    expect(config.services['sam2-service'].healthcheck.start_period).toBe('3m');
    expect(config.services['model-fetch'].restart).toBe('no');
    expect(config.services['model-fetch'].healthcheck.test).toEqual(['NONE']);
  });

  it('keeps the weights in a named volume, written by model-fetch or by the service on its first start', () => {
    expect(Object.keys(config.volumes)).toContain('sam2-models');
    expect(config.services['sam2-service'].volumes).toContain('sam2-models:/models:rw');
    expect(config.services['sam2-service'].environment.SAM2_MODEL_AUTO_FETCH).toBe('true');
    expect(config.services['model-fetch'].volumes).toContain('sam2-models:/models:rw');
    const variant = envExample.SAM2_MODEL_VARIANT;
    expect(config.services['sam2-service'].environment.SAM2_MODEL_DIR).toBe(`/models/${variant}`);
    expect(config.services['model-fetch'].environment).toMatchObject({
      SAM2_MODEL_DIR: `/models/${variant}`,
      SAM2_MODEL_VARIANT: variant,
    });
  });

  it('passes every service variable to sam2-service, listening on all interfaces of its container', () => {
    const env = config.services['sam2-service'].environment;
    expect(Object.keys(env).sort()).toEqual([...serviceVariables, ...Object.keys(allocatorEnv)].sort());
    // The glibc allocator settings are the image's (sam2-service/src/allocatorEnv.ts).
    expect(env).toMatchObject(allocatorEnv);
    expect(env).toMatchObject({ SAM2_HOST: '0.0.0.0', SAM2_PORT: '5005', SAM2_DEVICE: 'cpu' });
    expect(config.services.viewer.environment.SAM2_UPSTREAM).toBe('sam2-service:5005');
  });

  it('stops the service within its grace period: shutdown deadline + 5 s for the workers < stop_grace_period', () => {
    const service = config.services['sam2-service'];
    const grace = /^(\d+)s$/.exec(String(service.stop_grace_period));
    expect(grace).not.toBeNull();
    const shutdownMs = Number(service.environment.SAM2_SHUTDOWN_TIMEOUT_MS);
    expect(shutdownMs).toBeGreaterThan(0);
    expect(shutdownMs + 5000).toBeLessThan(Number(grace![1]) * 1000);
  });

  it('publishes only the viewer (on 127.0.0.1); the service and Orthanc stay internal', () => {
    expect(config.services.viewer.ports).toEqual(['127.0.0.1:8080:8080/tcp']);
    expect(config.services['sam2-service'].ports).toBeUndefined();
    expect(config.services.orthanc.ports).toBeUndefined();
    expect(config.services.viewer.depends_on).toEqual({
      orthanc: { condition: 'service_healthy' },
      'sam2-service': { condition: 'service_started' },
    });
  });

  it('SAM2_ENABLED reaches both the service and the viewer (the rollback switch)', () => {
    expect(config.services['sam2-service'].environment.SAM2_ENABLED).toBe('true');
    expect(config.services.viewer.environment.SAM2_ENABLED).toBe('true');
    const off = composeConfig([deployFiles.compose], { SAM2_ENABLED: 'false' });
    expect(off.services['sam2-service'].environment.SAM2_ENABLED).toBe('false');
    expect(off.services.viewer.environment.SAM2_ENABLED).toBe('false');
  });

  it('gives the viewer what nginx and app-config.js need, the browser-facing DICOMweb root included', () => {
    expect(config.services.viewer.environment).toEqual({
      SAM2_ENABLED: 'true',
      SAM2_MODALITIES: 'CT',
      SAM2_CLIENT_TIMEOUT_MS: '35000',
      SAM2_SPECULATIVE_ENCODING: 'true',
      DICOMWEB_URL: '/dicom-web',
      VIEWER_FRAME_ANCESTORS: '',
      SAM2_UPSTREAM: 'sam2-service:5005',
      ORTHANC_UPSTREAM: 'orthanc:8042',
      SAM2_API_TOKEN: '',
      SAM2_MAX_BODY: '',
      SAM2_MAX_IMAGE_SIDE: '4096',
      SAM2_REQUEST_TIMEOUT_MS: '30000',
      ORTHANC_USERNAME: 'orthanc',
      ORTHANC_PASSWORD: envExample.ORTHANC_PASSWORD,
    });
    expect(config.services.orthanc.environment).toEqual({
      ORTHANC_USERNAME: 'orthanc',
      ORTHANC_PASSWORD: envExample.ORTHANC_PASSWORD,
    });
  });

  it('refuses to run without an Orthanc password', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ohif-sam2-env-'));
    try {
      const emptyEnv = path.join(dir, '.env');
      writeFileSync(emptyEnv, '');
      const result = runComposeConfig([deployFiles.compose], {}, emptyEnv);
      expect(result.ok).toBe(false);
      expect(result.stderr).toMatch(/set ORTHANC_PASSWORD in \.env/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('GPU override: CUDA image target, SAM2_DEVICE=cuda and an NVIDIA device reservation', () => {
    const service = gpu.services['sam2-service'];
    expect(service.build.target).toBe('gpu');
    expect(service.image).toBe('ohif-sam2/sam2-service:latest-gpu');
    expect(service.environment.SAM2_DEVICE).toBe('cuda');
    expect(service.deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
    ]);
    expect(memoryBytes(service.deploy.resources.limits.memory)).toBeGreaterThanOrEqual(4 * GiB);
    expect(service.command).toEqual([...imageCommands.service]);
    // Everything else is the CPU deployment's.
    expect(gpu.services['model-fetch']).toEqual(config.services['model-fetch']);
    expect(gpu.services.viewer).toEqual(config.services.viewer);
    expect({ ...service.environment, SAM2_DEVICE: 'cpu' }).toEqual(
      config.services['sam2-service'].environment,
    );
  });
});
