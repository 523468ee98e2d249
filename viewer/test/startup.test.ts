import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startSam2Service } from './helpers/sam2Service';
import { startViewerProcess } from './helpers/viewerProcess';

const unreachableUrl = 'http://127.0.0.1:9';

describe('viewer server process start-up (built dist/)', () => {
  it('logs the real port and that the SAM2 service is ready', async () => {
    const service = await startSam2Service();
    const viewer = await startViewerProcess({ SAM2_SERVICE_URL: service.url });
    try {
      expect(viewer.port).toBeGreaterThan(0);
      const line = await viewer.waitForLog((l) => l.sam2 !== undefined);
      expect(line).toMatchObject({ level: 30, sam2: 'ready', serviceUrl: service.url });
      expect((await fetch(`${viewer.url}/local`)).status).toBe(200);
    } finally {
      await viewer.stop();
      await service.stop();
    }
  });

  it('logs a degraded service (up, no model) and still starts', async () => {
    const service = await startSam2Service({ SAM2_ENABLED: 'false' });
    const viewer = await startViewerProcess({ SAM2_SERVICE_URL: service.url });
    try {
      const line = await viewer.waitForLog((l) => l.sam2 !== undefined);
      expect(line).toMatchObject({ level: 40, sam2: 'degraded', state: 'disabled' });
    } finally {
      await viewer.stop();
      await service.stop();
    }
  });

  it('logs an unreachable service, still starts and serves the viewer', async () => {
    const viewer = await startViewerProcess({ SAM2_SERVICE_URL: unreachableUrl });
    try {
      const line = await viewer.waitForLog((l) => l.sam2 !== undefined);
      expect(line).toMatchObject({ level: 40, sam2: 'unreachable', error: 'ECONNREFUSED' });
      expect(line.msg).toMatch(/SAM2 button stays disabled/);
      expect((await fetch(`${viewer.url}/local`)).status).toBe(200);
      expect(viewer.child.exitCode).toBeNull();
    } finally {
      await viewer.stop();
    }
  });

  it('does not probe the service when SAM2 is disabled', async () => {
    const viewer = await startViewerProcess({ SAM2_SERVICE_URL: unreachableUrl, SAM2_ENABLED: 'false' });
    try {
      await viewer.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('SAM2 disabled'));
      expect(viewer.logs.join('\n')).not.toContain('unreachable');
    } finally {
      await viewer.stop();
    }
  });

  it('refuses a bad configuration with one clear message', () => {
    const result = spawnSync(process.execPath, [path.resolve(__dirname, '..', 'dist', 'src', 'index.js')], {
      env: { PATH: process.env.PATH ?? '', VIEWER_PORT: 'not-a-port', SAM2_ENABLED: 'perhaps' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration: .*VIEWER_PORT.*SAM2_ENABLED/);
  });
});
