/**
 * SIGTERM with work in progress: the real built viewer server (in front of the real service) answers the
 * proxied request in flight, closes idle keep-alive connections at once, does not wait for a client that
 * stalls mid-request beyond VIEWER_SHUTDOWN_TIMEOUT_MS, and exits.
 */
import { expectGracefulShutdown } from '../../sam2-service/test/helpers/shutdownScenario';
import { discSliceBody, startSam2Service } from './helpers/sam2Service';
import { startViewerProcess } from './helpers/viewerProcess';

describe('shutdown on SIGTERM', () => {
  it('answers the request in flight with Connection: close, drops idle and stalled clients, exits in time', async () => {
    const sam2 = await startSam2Service();
    const service = await startViewerProcess({
      SAM2_SERVICE_URL: sam2.url,
      VIEWER_SHUTDOWN_TIMEOUT_MS: '3000',
      VIEWER_CACHE_DIR: process.env.VIEWER_CACHE_DIR ?? '',
    });
    try {
      await expectGracefulShutdown(service, {
        idlePath: '/app-config.js',
        stalledPath: '/local',
        segmentationBody: Buffer.from(JSON.stringify(discSliceBody())),
      });
    } finally {
      await service.stop();
      await sam2.stop();
    }
  });
});
