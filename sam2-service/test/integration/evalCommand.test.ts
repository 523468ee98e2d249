/**
 * `npm run eval` end to end: the built command on the real CT and TotalSegmentator masks with the
 * FIXTURE model, through the in-process (child) service and through a running one; a few slices only.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixtureModelDir } from '../helpers/fixtureModels';
import { type ServiceProcess, startService } from '../helpers/serviceProcess';
import { describeWithSharedData, sharedDataDir } from '../helpers/sharedData';

const command = path.resolve(__dirname, '..', '..', 'dist', 'scripts', 'eval', 'main.js');
const seg = path.join(sharedDataDir, 'seg_reference', 'totalsegmentator');
const dicomDir = path.join(sharedDataDir, 'ct_dicom', 'totalseg_example_ct_dicom', 'uncompressed_with_uids');
const ctNifti = path.join(seg, 'example_ct.nii.gz');
const labelsNifti = path.join(seg, 'example_seg_fast_force_split.nii.gz');
const labelTable = path.join(seg, 'labels_total_v2.tsv');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [command, ...args], { timeout: 120000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const readJson = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));

/** Runs an evaluation that must succeed, writing to `dir`; returns its report.json (a FIXTURE report). */
async function evaluate(args: string[], dir: string): Promise<any> {
  const result = await run([...args, '--out', dir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const report = readJson(path.join(dir, 'report.json'));
  expect(report.title).toMatch(/^FIXTURE — /);
  return report;
}

describeWithSharedData('npm run eval (built command, FIXTURE model, real CT)', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(os.tmpdir(), 'sam2-eval-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('DICOM series + NIfTI label map, in-process service: JSON, CSV and HTML with the model identity', async () => {
    const dir = path.join(out, 'dicom');
    const model = fixtureModelDir('samexporter');
    const report = await evaluate(
      [
        ...['--model-dir', model, '--images', dicomDir],
        ...['--labels', path.join(seg, 'example_seg_dicom.nii.gz'), '--label-table', labelTable],
        ...['--structures', 'liver,aorta', '--prompts', 'box,point', '--slices', '2'],
      ],
      dir,
    );
    expect(report.fixture).toBe(true);
    // Every model file with the sha256 computed here.
    const manifest = JSON.parse(readFileSync(path.join(model, 'model.json'), 'utf8'));
    for (const name of [manifest.encoder, manifest.decoder]) {
      const sha = createHash('sha256')
        .update(readFileSync(path.join(model, name)))
        .digest('hex');
      expect(report.model.files).toContainEqual({ name, sha256: sha });
    }
    expect(report.model).toMatchObject({ name: manifest.name, variant: manifest.variant, fixture: true });
    expect(report.model.version).toMatch(/^[0-9a-f]{16}$/);

    expect(report.summary).toHaveLength(4);
    expect(report.slices).toHaveLength(8);
    for (const s of report.slices) {
      expect(s.error).toBeUndefined();
      expect(s.referenceAreaCm2).toBeGreaterThan(0);
      expect(s.dice).toBeGreaterThanOrEqual(0);
      expect(s.dice).toBeLessThanOrEqual(1);
      expect(s.serviceMs).toBeGreaterThanOrEqual(0);
      expect(s.sliceLabel).toMatch(/^instance 2(6[7-9]|7\d|8[0-6])$/);
    }
    for (const row of report.summary) {
      const dice = report.slices
        .filter(
          (s: { structure: string; prompt: string }) =>
            s.structure === row.structure && s.prompt === row.prompt,
        )
        .map((s: { dice: number }) => s.dice);
      expect(row.slices).toBe(2);
      expect(row.diceMean).toBeCloseTo((dice[0] + dice[1]) / 2, 12);
    }
    // The liver is "structure" context: the series' own window (C40/W300 in these files).
    expect(report.slices.find((s: { structure: string }) => s.structure === 'liver').context).toBe(
      'structure',
    );

    const summaryCsv = readFileSync(path.join(dir, 'summary.csv'), 'utf8').trim().split('\r\n');
    expect(summaryCsv[0]).toMatch(/^structure,context,prompt,slices,/);
    expect(summaryCsv).toHaveLength(5);
    expect(readFileSync(path.join(dir, 'slices.csv'), 'utf8').trim().split('\r\n')).toHaveLength(9);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/<title>FIXTURE — /);
    expect(html).toContain(report.model.files[0].sha256);
    expect((html.match(/<img /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(html).not.toContain(sharedDataDir); // no filesystem paths in the report
  });

  describe('against a running service', () => {
    let service: ServiceProcess;
    beforeAll(async () => {
      service = await startService();
      await service.waitReady();
    });
    afterAll(() => service.stop());

    it('NIfTI CT + label map, L3 with the context One-Click on the centre slice', async () => {
      const report = await evaluate(
        [
          ...['--service', service.url, '--images', ctNifti],
          ...['--labels', labelsNifti, '--label-table', labelTable],
          ...['--structures', 'vertebrae_L3', '--slices', 'centre'],
        ],
        path.join(out, 'nifti'),
      );
      expect(report.summary.map((s: { prompt: string }) => s.prompt)).toEqual([
        'box',
        'point',
        'box+point',
        'context-one-click',
      ]);
      expect(report.slices.every((s: { context: string }) => s.context === 'l3-vertebra')).toBe(true);
      expect(new Set(report.slices.map((s: { slice: number }) => s.slice)).size).toBe(1);
    });
  });

  it('bad options fail with a message naming the option (exit code 1)', async () => {
    const model = ['--model-dir', fixtureModelDir('samexporter')];
    const base = [...model, '--images', ctNifti, '--labels', labelsNifti];
    const bad = await run([...base, '--prompts', 'lasso']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--prompts: unknown lasso/);
    const missing = await run([...base, '--label-table', labelTable, '--structures', 'vertebrae_L9']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--structures: vertebrae_L9 not in the reference/);
    // The 20-slice DICOM grid is not the 3 mm NIfTI grid: refused, not resampled.
    const mismatch = await run([...model, '--images', dicomDir, '--labels', labelsNifti]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/not the image grid/);
  });

  it('a missing or empty model folder and a wrong --service fail at once with the reason', async () => {
    const data = ['--images', ctNifti, '--labels', labelsNifti];
    const absent = await run(['--model-dir', path.join(os.tmpdir(), 'no-such-sam2-model'), ...data]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/--model-dir .*no-such-sam2-model does not exist/);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'sam2-empty-model-'));
    try {
      // The service starts but cannot become ready: its reason, not a 2-minute wait.
      const none = await run(['--model-dir', empty, ...data]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/cannot load the model: model_files_missing/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const notUrl = await run(['--service', '127.0.0.1:5000', ...data]);
    expect(notUrl.code).toBe(1);
    expect(notUrl.stderr).toMatch(/--service 127\.0\.0\.1:5000 is not an http\(s\) URL/);
    const nobody = await run(['--service', 'http://127.0.0.1:1', ...data]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/cannot reach the SAM2 service at http:\/\/127\.0\.0\.1:1/);
  });
});
