/**
 * The process helper the tests, benchmarks and `npm run eval` start the service with: a service that never
 * becomes ready is ended when the caller gives up on it, not left running in the background.
 */
import { startService } from '../helpers/serviceProcess';
import { settleWithin } from '../helpers/settleWithin';

/** Whether a process with this pid still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startServiceProcess', () => {
  it('ends the service and its log capture when waitReady times out', async () => {
    // Disabled by configuration: the service listens but /readyz never answers 200.
    const service = await startService({ SAM2_ENABLED: 'false' });
    const pid = service.child.pid!;
    const exited = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
    try {
      await expect(service.waitReady(1000)).rejects.toThrow(/service not ready after 1000 ms/);
      // Generous bound: without the fix the service ran on until the test's own clean-up.
      expect(
        await settleWithin(
          exited.then(() => 'exited'),
          10000,
        ),
      ).toBe('exited');
      expect(alive(pid)).toBe(false);
      expect(service.child.stdout!.destroyed).toBe(true);
      expect(service.child.stderr!.destroyed).toBe(true);
    } finally {
      await service.stop();
    }
  });
});
