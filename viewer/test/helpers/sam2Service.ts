import { type ServiceProcess, startServiceProcess } from '../../../sam2-service/scripts/lib/serviceProcess';
import { viewerFixtureModelDir } from './paths';

export type { ServiceProcess };

/** The real, built SAM2 service on an ephemeral port, running the FIXTURE model from globalSetup. */
export async function startSam2Service(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await startServiceProcess({ SAM2_MODEL_DIR: viewerFixtureModelDir, ...env });
  if (env.SAM2_ENABLED !== 'false') await service.waitReady();
  return service;
}

/** A 128² int16 slice: a soft-tissue disc (60 HU) in air, as the service's API takes it. */
export function discSliceBody(size = 128): Record<string, unknown> {
  const pixels = new Int16Array(size * size);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      pixels[y * size + x] = (x - c) ** 2 + (y - c) ** 2 < (size / 4) ** 2 ? 60 : -1000;
  }
  return {
    image_data: Buffer.from(pixels.buffer).toString('base64'),
    image_type: 'int16',
    width: size,
    height: size,
    window: { center: 40, width: 400 },
    prompts: { points: [{ x: c, y: c, label: 1 }] },
  };
}
