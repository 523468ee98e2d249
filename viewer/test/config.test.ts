import path from 'node:path';
import { loadConfig, repoRoot } from '../src/config';

describe('viewer configuration from the environment', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      serviceUrl: 'http://127.0.0.1:5005',
      apiToken: undefined,
      sam2Enabled: true,
      modalities: ['CT'],
      clientTimeoutMs: 30000,
      speculativeEncoding: true,
      dicomwebUrl: undefined,
      ohifDistDir: undefined,
      cacheDir: path.join(repoRoot, '.cache'),
      extensionDistDir: path.join(repoRoot, 'extension', 'dist'),
      modeDistDir: path.join(repoRoot, 'mode', 'dist'),
    });
    expect(config.proxyTimeoutMs).toBeGreaterThan(30000);
  });

  it('reads every SAM2 and DICOMweb setting', () => {
    const config = loadConfig({
      VIEWER_PORT: '0',
      SAM2_ENABLED: 'false',
      SAM2_MODALITIES: ' ct, mr ,',
      SAM2_CLIENT_TIMEOUT_MS: '45000',
      SAM2_SPECULATIVE_ENCODING: 'false',
      SAM2_SERVICE_URL: 'http://sam2:5005/',
      SAM2_API_TOKEN: 'secret',
      DICOMWEB_URL: 'http://orthanc:8042/dicom-web/',
    });
    expect(config).toMatchObject({
      port: 0,
      sam2Enabled: false,
      modalities: ['CT', 'MR'],
      clientTimeoutMs: 45000,
      speculativeEncoding: false,
      serviceUrl: 'http://sam2:5005',
      apiToken: 'secret',
      dicomwebUrl: 'http://orthanc:8042/dicom-web',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DICOMWEB_URL: '', SAM2_ENABLED: '', SAM2_API_TOKEN: '' })).toMatchObject({
      dicomwebUrl: undefined,
      sam2Enabled: true,
      apiToken: undefined,
    });
  });

  it('names every bad variable', () => {
    expect(() =>
      loadConfig({ VIEWER_PORT: 'x', SAM2_ENABLED: 'maybe', SAM2_SERVICE_URL: 'ftp://a' }),
    ).toThrow(/VIEWER_PORT.*SAM2_SERVICE_URL.*SAM2_ENABLED|VIEWER_PORT.*SAM2_ENABLED.*SAM2_SERVICE_URL/);
    expect(() => loadConfig({ SAM2_MODALITIES: ' , ' })).toThrow(/SAM2_MODALITIES/);
  });
});
