import { type ServiceProcess, postSegment, startServiceProcess } from '../../scripts/lib/serviceProcess';
import { fixtureModelDir } from './fixtureModels';

export { type ServiceProcess, postSegment };

/** The built service on an ephemeral port with the samexporter FIXTURE model unless `env` says otherwise. */
export function startService(
  env: Record<string, string> = {},
  options: { cwd?: string } = {},
): Promise<ServiceProcess> {
  return startServiceProcess({ SAM2_MODEL_DIR: fixtureModelDir('samexporter'), ...env }, options);
}
