/**
 * The TID 1500 body-composition report: written to DICOM Part 10 with dcmjs and read back, its
 * structure, codes (PS3.16, written out here rather than imported) and units are checked; and the SEG
 * frame lookup for labelmap and binary SEGs.
 */
import { data as dcmjsData } from 'dcmjs';
import type { MeasurementReportInput } from '../src/sr/measurementReport';
import { buildMeasurementReport } from '../src/sr/measurementReport';
import { findingFor } from '../src/sr/codes';
import { segFrameNumber } from '../src/sr/segFrames';

type Item = Record<string, unknown>;

const SEG_UID = '1.2.3.4.100';
const CT_UID = '1.2.3.4.276';

/** A SEG as OHIF's export naturalizes it: patient/study attributes copied from the CT. */
const seg = {
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.7',
  SOPInstanceUID: SEG_UID,
  SeriesInstanceUID: '1.2.3.4.10',
  StudyInstanceUID: '1.2.3.4',
  PatientID: 'TEST-PATIENT',
  PatientName: 'Test^Patient',
  StudyDate: '20260101',
  AccessionNumber: 'ACC1',
};

function input(overrides: Partial<MeasurementReportInput> = {}): MeasurementReportInput {
  return {
    source: {
      studyInstanceUid: '1.2.3.4',
      seriesInstanceUid: '1.2.3.4.5',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: CT_UID,
    },
    segmentation: seg,
    heightM: 1.72,
    groups: [
      {
        segmentLabel: 'Skeletal muscle (L3)',
        finding: findingFor('skeletal-muscle', 'skeletal-muscle'),
        segmentNumber: 2,
        frameNumber: 1,
        trackingUid: '1.2.3.4.900',
        areaCm2: 123.456789,
        meanHu: 38.25,
        sdHu: 21.5,
        voxelCount: 4321,
        smi: 41.7305,
        huRange: { min: -29, max: 150 },
        model: { name: 'sam2.1-hiera-tiny', version: 'abc123' },
      },
      {
        segmentLabel: 'L3 vertebra',
        finding: findingFor(undefined, 'l3-vertebra'),
        segmentNumber: 1,
        frameNumber: 1,
        trackingUid: '1.2.3.4.901',
        areaCm2: 12.5,
        meanHu: 250,
        sdHu: 80,
        voxelCount: 500,
      },
    ],
    device: { uid: '2.25.1', name: 'Measurement tool', version: '9.9', manufacturer: 'Us' },
    seriesInstanceUid: '1.2.3.4.20',
    sopInstanceUid: '1.2.3.4.21',
    seriesNumber: 4101,
    seriesDescription: 'Body composition',
    ...overrides,
  };
}

/** The report through Part 10 and back: what a PACS would hold. */
function roundTrip(dataset: Item): Item {
  const meta = dcmjsData.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.2',
  });
  const dict = new dcmjsData.DicomDict(meta);
  dict.dict = dcmjsData.DicomMetaDictionary.denaturalizeDataset(dataset);
  const bytes = dict.write();
  return dcmjsData.DicomMetaDictionary.naturalizeDataset(dcmjsData.DicomMessage.readFile(bytes).dict);
}

function seq(value: unknown): Item[] {
  if (Array.isArray(value)) return value as Item[];
  return value && typeof value === 'object' ? [value as Item] : [];
}

function code(item: Item, key = 'ConceptNameCodeSequence'): string {
  const c = seq(item[key])[0];
  return c ? `${c.CodingSchemeDesignator}:${c.CodeValue}` : '';
}

function childrenNamed(item: Item, concept: string): Item[] {
  return seq(item.ContentSequence).filter((c) => code(c) === concept);
}

function only(item: Item, concept: string): Item {
  const found = childrenNamed(item, concept);
  if (found.length !== 1) throw new Error(`${found.length} items ${concept}`);
  return found[0];
}

function num(item: Item): { value: number; unit: string } {
  const measured = seq(item.MeasuredValueSequence)[0];
  return { value: Number(measured.NumericValue), unit: code(measured, 'MeasurementUnitsCodeSequence') };
}

function texts(item: Item, concept: string): string[] {
  return childrenNamed(item, concept).map((c) => String(c.TextValue));
}

describe('TID 1500 measurement report', () => {
  const sr = roundTrip(buildMeasurementReport(input()));
  const groups = childrenNamed(only(sr, 'DCM:126010'), 'DCM:125007');

  it('is a Comprehensive 3D SR whose root is TID 1500 "Imaging Measurement Report", complete, unverified', () => {
    expect(sr.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.34');
    expect(sr.Modality).toBe('SR');
    expect(sr.ValueType).toBe('CONTAINER');
    expect(code(sr)).toBe('DCM:126000');
    expect(seq(sr.ContentTemplateSequence)[0]).toMatchObject({
      MappingResource: 'DCMR',
      TemplateIdentifier: '1500',
    });
    expect(sr.CompletionFlag).toBe('COMPLETE');
    expect(sr.VerificationFlag).toBe('UNVERIFIED');
    expect(sr.SeriesNumber).toBe(4101);
    expect(sr.SpecificCharacterSet).toBe('ISO_IR 192');
  });

  it('takes patient and study from the SEG, and lists the CT and the SEG as evidence', () => {
    expect(sr).toMatchObject({
      PatientID: 'TEST-PATIENT',
      StudyInstanceUID: '1.2.3.4',
      AccessionNumber: 'ACC1',
    });
    const study = seq(sr.PertinentOtherEvidenceSequence)[0];
    const series = seq(study.ReferencedSeriesSequence).map((s) => [
      s.SeriesInstanceUID,
      seq(s.ReferencedSOPSequence).map((i) => i.ReferencedSOPInstanceUID),
    ]);
    expect(series).toEqual(
      expect.arrayContaining([
        ['1.2.3.4.10', [SEG_UID]],
        ['1.2.3.4.5', [CT_UID]],
      ]),
    );
  });

  it('has language, a device observer, the procedure and an image library', () => {
    expect(code(only(sr, 'DCM:121049'), 'ConceptCodeSequence')).toBe('RFC5646:en-US');
    expect(code(only(sr, 'DCM:121005'), 'ConceptCodeSequence')).toBe('DCM:121007');
    expect(only(sr, 'DCM:121012').UID).toBe('2.25.1');
    expect(only(sr, 'DCM:121013').TextValue).toBe('Measurement tool');
    expect(code(only(sr, 'DCM:121058'), 'ConceptCodeSequence')).toBe('LN:25045-6');
    expect(only(sr, 'DCM:111028').ValueType).toBe('CONTAINER');
    expect(seq(sr.CodingSchemeIdentificationSequence)[0].CodingSchemeDesignator).toBe('99SAM2');
  });

  it('one TID 1410 group per segment: tracking id and uid, coded finding, SEG frame + segment, source image', () => {
    expect(groups).toHaveLength(2);
    const [muscle, vertebra] = groups;
    expect(only(muscle, 'DCM:112039').TextValue).toBe('Skeletal muscle (L3)');
    expect(only(muscle, 'DCM:112040').UID).toBe('1.2.3.4.900');
    expect(code(only(muscle, 'DCM:121071'), 'ConceptCodeSequence')).toBe('SCT:127954009');
    expect(code(only(vertebra, 'DCM:121071'), 'ConceptCodeSequence')).toBe('SCT:36470004');
    const frame = seq(only(muscle, 'DCM:121214').ReferencedSOPSequence)[0];
    expect(frame).toMatchObject({
      ReferencedSOPClassUID: seg.SOPClassUID,
      ReferencedSOPInstanceUID: SEG_UID,
    });
    expect(Number(seq(frame.ReferencedFrameNumber)[0] ?? frame.ReferencedFrameNumber)).toBe(1);
    expect(Number(seq(frame.ReferencedSegmentNumber)[0] ?? frame.ReferencedSegmentNumber)).toBe(2);
    const source = seq(only(muscle, 'DCM:121233').ReferencedSOPSequence)[0];
    expect(source.ReferencedSOPInstanceUID).toBe(CT_UID);
  });

  it("area in cm2, mean and SD attenuation in [hnsf'U] with their derivation, voxel count, SMI in cm2/m2", () => {
    const [muscle, vertebra] = groups;
    expect(num(only(muscle, 'SCT:42798000'))).toEqual({ value: 123.456789, unit: 'UCUM:cm2' });
    const attenuation = childrenNamed(muscle, 'DCM:112031');
    const byDerivation = Object.fromEntries(
      attenuation.map((a) => [code(only(a, 'DCM:121401'), 'ConceptCodeSequence'), num(a)]),
    );
    expect(byDerivation).toEqual({
      'SCT:373098007': { value: 38.25, unit: "UCUM:[hnsf'U]" },
      'SCT:386136009': { value: 21.5, unit: "UCUM:[hnsf'U]" },
    });
    expect(num(only(muscle, '99SAM2:VOXELS'))).toEqual({ value: 4321, unit: 'UCUM:{voxels}' });
    expect(num(only(muscle, '99SAM2:SMI'))).toEqual({ value: 41.7305, unit: 'UCUM:cm2/m2' });
    // No SMI for a segment that is not skeletal muscle.
    expect(childrenNamed(vertebra, '99SAM2:SMI')).toEqual([]);
  });

  it('each measurement names its algorithm (TID 4019): the SAM2 model, or the tool for a hand-drawn segment, and the HU range', () => {
    const [muscle, vertebra] = groups;
    const area = only(muscle, 'SCT:42798000');
    expect(texts(area, 'DCM:111001')).toEqual(['sam2.1-hiera-tiny']);
    expect(texts(area, 'DCM:111003')).toEqual(['abc123']);
    expect(texts(area, 'DCM:111002')).toEqual(['HU range -29..150 HU (voxels outside not counted)']);
    expect(texts(only(muscle, '99SAM2:SMI'), 'DCM:111002')).toContain('patient height 1.72 m');
    const handDrawn = only(vertebra, 'SCT:42798000');
    expect(texts(handDrawn, 'DCM:111001')).toEqual(['Measurement tool']);
    expect(texts(handDrawn, 'DCM:111003')).toEqual(['9.9']);
    expect(texts(handDrawn, 'DCM:111002')).toEqual([
      'HU range: none (all voxels counted)',
      'segmentation drawn by hand',
    ]);
  });

  it('refuses an empty report', () => {
    expect(() => buildMeasurementReport(input({ groups: [] }))).toThrow(/no segment/);
  });
});

describe('SEG frame of a segment on a source image', () => {
  const frame = (sop: string, segment?: number): Item => ({
    DerivationImageSequence: [{ SourceImageSequence: [{ ReferencedSOPInstanceUID: sop }] }],
    ...(segment === undefined ? {} : { SegmentIdentificationSequence: { ReferencedSegmentNumber: segment } }),
  });

  it('LABELMAP SEG: the frame of the slice, whatever the segment', () => {
    const labelmap = { PerFrameFunctionalGroupsSequence: [frame('a'), frame('b')] };
    expect(segFrameNumber(labelmap, 'b', 3)).toBe(2);
    expect(segFrameNumber(labelmap, 'c', 3)).toBeUndefined();
  });

  it('binary SEG: the frame of the slice and segment', () => {
    const binary = { PerFrameFunctionalGroupsSequence: [frame('a', 1), frame('a', 2), frame('b', 2)] };
    expect(segFrameNumber(binary, 'a', 2)).toBe(2);
    expect(segFrameNumber(binary, 'b', 1)).toBeUndefined();
    // A collapsed one-frame sequence (dcmjs naturalizes single items as objects).
    expect(segFrameNumber({ PerFrameFunctionalGroupsSequence: frame('x', 4) }, 'x', 4)).toBe(1);
  });
});
