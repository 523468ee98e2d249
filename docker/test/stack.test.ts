/**
 * The deployment's three processes natively, as the images run them: Orthanc 1.10 + DICOMweb with
 * docker/orthanc/orthanc.json, the SAM2 service with the image's command and the health check script, and
 * nginx with the rendered template in front of both.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  describeWithTools,
  type NginxProcess,
  type OrthancProcess,
  runHealthcheck,
  type ServiceAsImage,
  startNginx,
  startOrthanc,
  startServiceAsImage,
  writeFixtureModel,
} from './helpers';

const sharedDataDir =
  process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
/** One real CT slice with proper UIDs (../shared/data, see its README). */
const ctSlice = path.join(
  sharedDataDir,
  'ct_dicom',
  'totalseg_example_ct_dicom',
  'uncompressed_with_uids',
  'CT_0267.dcm',
);
const ctStudyUid = '2.25.46289545886157650249131583703515757550';
const hasCtSlice = existsSync(ctSlice);
if (!hasCtSlice)
  console.warn(`Real CT slice not found at ${ctSlice}: the upload checks are skipped (SHARED_DATA_DIR).`);
const itWithCt = hasCtSlice ? it : it.skip;

/** The 8 x 8 int16 box-prompt example of docs/api.md. */
const exampleRequest = {
  image_data:
    'GPwY/Bj8GPwY/Bj8GPwY/Bj8GPwY/Bj8GPwY/Bj8GPwY/Bj8GPwY/Bj8GPwY/Bj8GPwY/DwAPAA8ADwAGPwY/Bj8GPw8ADwAPAA8ABj8GPwY/Bj8PAA8ADwAPAAY/Bj8GPwY/DwAPAA8ADwAGPwY/Bj8GPwY/Bj8GPwY/Bj8GPw=',
  image_type: 'int16',
  width: 8,
  height: 8,
  rescale: { slope: 1, intercept: 0 },
  window: { center: 40, width: 400 },
  photometric: 'MONOCHROME2',
  prompts: { box: [1, 2, 7, 7] },
};

describeWithTools('Orthanc 1.10 + DICOMweb with docker/orthanc/orthanc.json', ['Orthanc', 'dicomweb'], () => {
  let orthanc: OrthancProcess;

  beforeAll(async () => {
    orthanc = await startOrthanc({ username: 'pacs', password: 'orthanc-secret' });
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  it('answers QIDO-RS at /dicom-web/studies with its credentials only', async () => {
    const anonymous = await fetch(`${orthanc.dicomWebUrl}/studies`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${orthanc.dicomWebUrl}/studies`, {
      headers: { Authorization: `Basic ${Buffer.from('pacs:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const authorized = await fetch(`${orthanc.dicomWebUrl}/studies`, {
      headers: { Authorization: orthanc.authorization },
    });
    expect(authorized.status).toBe(200);
    expect(Array.isArray(await authorized.json())).toBe(true);
    expect(orthanc.process.output()).toMatch(/Registering plugin 'dicom-web'/);
  });

  itWithCt('stores a real CT slice', async () => {
    const stored = await orthanc.upload(ctSlice);
    expect(stored.Status).toMatch(/Success|AlreadyStored/);
  });

  describeWithTools('with nginx in front, and the SAM2 service as its image runs it', ['nginx'], () => {
    let work: string;
    let service: ServiceAsImage;
    let nginx: NginxProcess;

    beforeAll(async () => {
      work = await mkdtemp(path.join(os.tmpdir(), 'ohif-sam2-stack-'));
      const model = path.join(work, 'model');
      writeFixtureModel(model);
      await mkdir(path.join(work, 'ohif'));
      await writeFile(path.join(work, 'ohif', 'index.html'), '<!doctype html>');
      await writeFile(path.join(work, 'app-config.js'), 'window.config = {};');
      service = await startServiceAsImage({ SAM2_MODEL_DIR: model, SAM2_API_TOKEN: 'stack-token' });
      nginx = await startNginx({
        sam2Upstream: `127.0.0.1:${service.port}`,
        orthancUpstream: `127.0.0.1:${orthanc.port}`,
        ohifDistDir: path.join(work, 'ohif'),
        appConfigFile: path.join(work, 'app-config.js'),
        env: { ORTHANC_USERNAME: 'pacs', ORTHANC_PASSWORD: 'orthanc-secret', SAM2_API_TOKEN: 'stack-token' },
      });
      await service.waitReady();
    });

    afterAll(async () => {
      await Promise.all([nginx?.stop(), service?.stop()]);
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('nginx adds the Orthanc credentials the browser does not have', async () => {
      const res = await fetch(`${nginx.url}/dicom-web/studies`, {
        headers: { Accept: 'application/dicom+json' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(Array.isArray(await res.json())).toBe(true);
    });

    itWithCt('lists the stored study through nginx, with retrieve URLs on nginx', async () => {
      const res = await fetch(`${nginx.url}/dicom-web/studies?StudyInstanceUID=${ctStudyUid}`, {
        headers: { Accept: 'application/dicom+json' },
      });
      expect(res.status).toBe(200);
      const studies = (await res.json()) as Record<string, { Value?: unknown[] }>[];
      expect(studies).toHaveLength(1);
      expect(studies[0]['0020000D'].Value).toEqual([ctStudyUid]);
      expect(studies[0]['00080061'].Value).toEqual(['CT']);
      // Orthanc builds RetrieveURLs from nginx's Forwarded header: the browser can follow them.
      expect(studies[0]['00081190'].Value).toEqual([
        `http://127.0.0.1:${nginx.port}/dicom-web/studies/${ctStudyUid}`,
      ]);
    });

    itWithCt('serves WADO-RS metadata through nginx', async () => {
      const res = await fetch(`${nginx.url}/dicom-web/studies/${ctStudyUid}/metadata`);
      expect(res.status).toBe(200);
      const instances = (await res.json()) as Record<string, { Value?: unknown[] }>[];
      expect(instances.length).toBeGreaterThanOrEqual(1);
      expect(instances[0]['00280010'].Value).toEqual([512]); // Rows
    });

    it('the service started with the image command is healthy per the image health check', () => {
      const result = runHealthcheck([], service.env);
      expect(result).toEqual({
        code: 0,
        output: `healthy: http://127.0.0.1:${service.port}/readyz answered 200`,
      });
    });

    it('segments through nginx with the deployment token added by nginx', async () => {
      const ready = await fetch(`${nginx.url}/api/segmentation/readyz`);
      expect(await ready.json()).toMatchObject({ ready: true, state: 'ready' });

      const direct = await fetch(`${service.url}/api/segmentation/sam2`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(exampleRequest),
      });
      expect(direct.status).toBe(401); // the browser has no token; nginx holds it

      const res = await fetch(`${nginx.url}/api/segmentation/sam2`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(exampleRequest),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { mode: string; masks: { rle: { size: number[] } }[] };
      expect(body.mode).toBe('prompt');
      expect(body.masks[0].rle.size).toEqual([8, 8]);
    });
  });
});
