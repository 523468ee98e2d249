import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFixtureModel } from '../../scripts/fixture/writeFixtureModel';
import { metricValue } from '../helpers/metricsText';
import { type ServiceProcess, postSegment, startService } from '../helpers/serviceProcess';
import { discGridPoints, discSlice } from '../helpers/syntheticSlice';

/**
 * A client that disconnects during an automatic-mode decode (one decoder run per grid point here) stops
 * it between decoder runs: the worker makes far fewer runs than the grid needs. Real service, FIXTURE
 * model with a slow decoder (tens of ms a run), so the grid takes seconds.
 */
describe('automatic mode cancelled mid-way', () => {
  let service: ServiceProcess;
  let modelDir: string;
  beforeAll(async () => {
    modelDir = mkdtempSync(path.join(os.tmpdir(), 'sam2-slow-decoder-'));
    await writeFixtureModel({ family: 'samexporter', outDir: modelDir, decoderLayers: 20 });
    service = await startService({ SAM2_MODEL_DIR: modelDir, SAM2_AUTO_BATCH: '1' });
    await service.waitReady(120_000);
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
    rmSync(modelDir, { recursive: true, force: true });
  });

  const health = async () =>
    (await (await fetch(`${service.url}/health`)).json()) as { workers: { busy: number } };
  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const decoderRuns = () => metricValue(service.url, 'sam2_decoder_runs_total');

  it('stops after the decoder run in progress when the client goes away', async () => {
    const batches = discGridPoints(); // SAM2_AUTO_BATCH 1: one decoder run per grid point
    expect(batches).toBeGreaterThan(20);
    // Encode the slice first (one click), so the automatic request below is a decode only.
    const encoded = await postSegment(service.url, {
      ...discSlice(128, 7).body,
      prompts: { points: [{ x: 64, y: 64, label: 1 }] },
    });
    expect(encoded.status).toBe(200);
    const runsBefore = await decoderRuns();
    const cancelledBefore = await metricValue(service.url, 'sam2_tasks_cancelled_total');

    const controller = new AbortController();
    const request = fetch(`${service.url}/api/segmentation/sam2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image_id: encoded.body.image_id }),
      signal: controller.signal,
    }).catch((e: Error) => e.name);
    await until(async () => (await health()).workers.busy === 1, 'the automatic decode running');
    controller.abort();
    expect(await request).toBe('AbortError');
    await until(async () => (await health()).workers.busy === 0, 'the worker idle');

    expect((await metricValue(service.url, 'sam2_tasks_cancelled_total')) - cancelledBefore).toBe(1);
    const runs = (await decoderRuns()) - runsBefore;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThan(batches);

    // The same request run to the end makes every run: the count above is of a stopped decode.
    const whole = await postSegment(service.url, { image_id: encoded.body.image_id });
    expect(whole.status).toBe(200);
    expect(whole.body.timing.decoder_runs).toBe(batches);
  }, 600_000);
});
