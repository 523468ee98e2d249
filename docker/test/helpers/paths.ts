import path from 'node:path';

/** The repository root (this file is docker/test/helpers/paths.ts). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const dockerDir = path.join(repoRoot, 'docker');

/** The files the images use and the native runs render or run the same way. */
export const deployFiles = {
  compose: path.join(repoRoot, 'docker-compose.yml'),
  composeGpu: path.join(repoRoot, 'docker-compose.gpu.yml'),
  envExample: path.join(repoRoot, '.env.example'),
  serviceDockerfile: path.join(dockerDir, 'sam2-service.Dockerfile'),
  viewerDockerfile: path.join(dockerDir, 'viewer.Dockerfile'),
  orthancDockerfile: path.join(dockerDir, 'orthanc.Dockerfile'),
  nginxTemplate: path.join(dockerDir, 'nginx', 'default.conf.template'),
  nginxEnvScript: path.join(dockerDir, 'nginx', '10-ohif-sam2-env.envsh'),
  nginxCspScript: path.join(dockerDir, 'nginx', '15-ohif-sam2-csp.envsh'),
  appConfigScript: path.join(dockerDir, 'nginx', '30-ohif-sam2-app-config.sh'),
  orthancConfig: path.join(dockerDir, 'orthanc', 'orthanc.json'),
  healthcheck: path.join(dockerDir, 'scripts', 'healthcheck.js'),
  alerts: path.join(dockerDir, 'prometheus', 'alerts.yml'),
  alertsTest: path.join(dockerDir, 'prometheus', 'alerts.test.yml'),
  prometheusConfig: path.join(dockerDir, 'prometheus', 'prometheus.yml'),
} as const;

/** Commands the images run, as the native tests run them from the repository root. */
export const imageCommands = {
  service: ['node', 'sam2-service/dist/src/index.js'],
  modelFetch: ['node', 'sam2-service/dist/scripts/fetchModel.js'],
  serviceHealthcheck: ['node', 'docker/scripts/healthcheck.js'],
  orthanc: ['/usr/sbin/Orthanc', '/etc/orthanc-sam2/orthanc.json'],
  /** The viewer workspace's app-config generator (a CLI the viewer workspace is asked to provide). */
  renderAppConfig: ['node', 'viewer/dist/src/cli/renderAppConfig.js'],
} as const;
