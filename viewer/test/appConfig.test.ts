import vm from 'node:vm';
import { type AppConfigOptions, buildAppConfig, renderAppConfig } from '../src/appConfig';

const base: AppConfigOptions = {
  extensionUrls: ['/sam2/ohif-sam2-extension.js'],
  modeUrls: ['/sam2/ohif-sam2-mode.js'],
  sam2: {
    enabled: true,
    apiBase: '/api/segmentation',
    modalities: ['CT'],
    timeoutMs: 30000,
    speculativeEncoding: true,
  },
};

/** Runs the generated script the way the browser does and returns `window.config`. */
function evaluate(script: string): any {
  const sandbox = { window: {} as { config?: unknown } };
  vm.runInNewContext(script, sandbox);
  return sandbox.window.config;
}

describe('app-config.js generation', () => {
  it('defaults to the local-files data source only', () => {
    const config = evaluate(renderAppConfig(base));
    expect(config.defaultDataSourceName).toBe('dicomlocal');
    expect(config.dataSources).toEqual([
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomlocal',
        sourceName: 'dicomlocal',
        configuration: { friendlyName: 'Local DICOM files' },
      },
    ]);
  });

  it('adds a DICOMweb source and makes it the default when a DICOMweb URL is given', () => {
    const config = evaluate(renderAppConfig({ ...base, dicomwebUrl: 'http://pacs.example/dicom-web' }));
    expect(config.defaultDataSourceName).toBe('dicomweb');
    expect(config.dataSources.map((d: any) => d.sourceName)).toEqual(['dicomweb', 'dicomlocal']);
    const dicomweb = config.dataSources[0];
    expect(dicomweb.namespace).toBe('@ohif/extension-default.dataSourcesModule.dicomweb');
    expect(dicomweb.configuration).toMatchObject({
      qidoRoot: 'http://pacs.example/dicom-web',
      wadoRoot: 'http://pacs.example/dicom-web',
      wadoUriRoot: 'http://pacs.example/dicom-web',
      imageRendering: 'wadors',
    });
  });

  it('registers our extension and mode by URL and passes the sam2 block through', () => {
    const config = evaluate(renderAppConfig(base));
    expect(config.extensions).toEqual(['/sam2/ohif-sam2-extension.js']);
    expect(config.modes).toEqual(['/sam2/ohif-sam2-mode.js']);
    expect(config.sam2).toEqual({
      enabled: true,
      apiBase: '/api/segmentation',
      modalities: ['CT'],
      timeoutMs: 30000,
      speculativeEncoding: true,
    });
  });

  it('carries enabled: false and other settings unchanged', () => {
    const config = evaluate(
      renderAppConfig({
        ...base,
        sam2: {
          ...base.sam2,
          enabled: false,
          modalities: ['CT', 'MR'],
          timeoutMs: 5000,
          speculativeEncoding: false,
        },
      }),
    );
    expect(config.sam2).toEqual({
      enabled: false,
      apiBase: '/api/segmentation',
      modalities: ['CT', 'MR'],
      timeoutMs: 5000,
      speculativeEncoding: false,
    });
  });

  it('is pure: same options, same text, and the options are not shared with the output', () => {
    const options = structuredClone(base);
    expect(renderAppConfig(options)).toBe(renderAppConfig(base));
    const built = buildAppConfig(options) as { sam2: { modalities: string[] }; extensions: string[] };
    built.sam2.modalities.push('MR');
    built.extensions.push('/x.js');
    expect(options).toEqual(base);
  });

  it('escapes values so a configured string cannot break out of the script', () => {
    const config = evaluate(renderAppConfig({ ...base, dicomwebUrl: "http://x/'];alert(1);//\u2028" }));
    expect(config.dataSources[0].configuration.qidoRoot).toBe("http://x/'];alert(1);//\u2028");
  });
});
