import { type ServiceProcess, startServiceProcess } from '../../../sam2-service/scripts/lib/serviceProcess';
import { centreClick, discHu, int16SliceBody } from '../../../sam2-service/scripts/lib/syntheticSlice';
import { viewerFixtureModelDir } from './paths';

export type { ServiceProcess };

/** The real, built SAM2 service on an ephemeral port, running the FIXTURE model from globalSetup. */
export async function startSam2Service(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await startServiceProcess({ SAM2_MODEL_DIR: viewerFixtureModelDir, ...env });
  if (env.SAM2_ENABLED !== 'false') await service.waitReady();
  return service;
}

/** A 128² int16 slice: a soft-tissue disc (60 HU) in air, as the service's API takes it, clicked at its centre. */
export function discSliceBody(size = 128): Record<string, unknown> {
  return { ...int16SliceBody(size, discHu(size, 60, -1000)), prompts: centreClick(size) };
}
