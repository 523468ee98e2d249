/**
 * SIGTERM with work in progress: the real built service answers the request in flight, closes idle
 * keep-alive connections at once, does not wait for a client that stalls mid-request beyond
 * SAM2_SHUTDOWN_TIMEOUT_MS, and exits.
 */
import { startService } from '../helpers/serviceProcess';
import { expectGracefulShutdown } from '../helpers/shutdownScenario';
import { discSlice } from '../helpers/syntheticSlice';

describe('shutdown on SIGTERM', () => {
  it('answers the request in flight with Connection: close, drops idle and stalled clients, exits in time', async () => {
    const service = await startService({ SAM2_SHUTDOWN_TIMEOUT_MS: '3000' });
    try {
      await service.waitReady();
      await expectGracefulShutdown(service, {
        idlePath: '/healthz',
        stalledPath: '/health',
        segmentationBody: Buffer.from(
          JSON.stringify({ ...discSlice().body, prompts: { points: [{ x: 64, y: 64, label: 1 }] } }),
        ),
      });
    } finally {
      await service.stop();
    }
  });
});
