/**
 * The body-composition figures of one slice as a DICOM SR "Imaging Measurement Report" (PS3.16
 * TID 1500), built with dcmjs's SR classes.
 *
 * SOP class: Comprehensive 3D SR (1.2.840.10008.5.1.4.1.1.88.34). TID 1500 may be carried by Enhanced,
 * Comprehensive or Comprehensive 3D SR (PS3.16 TID 1500 "Type: Extensible", PS3.3 A.35); the report
 * needs only CONTAINER, CODE, TEXT, UIDREF, NUM and IMAGE items, which all three allow. Comprehensive 3D
 * SR is chosen because it is what dcmjs's `sr.documents` writes and what OHIF, dcmqi and highdicom
 * write and read for TID 1500, and it leaves room for SCOORD3D outlines later.
 *
 * One measurement group per segment: TID 1410 "Planar ROI Measurements and Qualitative Evaluations",
 * because each figure is an area on one axial slice (TID 1411 is for a volume over several slices). The
 * ROI is given by reference: "Referenced Segmentation Frame" (DCM 121214: the DICOM SEG instance, the
 * frame holding this slice and the segment number) and "Source image for segmentation" (DCM 121233).
 * Each NUM (TID 300) carries TID 4019 Algorithm Identification: the SAM2 model name and version when
 * SAM2 wrote into the segment (else this extension's measurement tool), with the HU range as an
 * algorithm parameter.
 *
 * dcmjs 0.52's templates are used where they work: TrackingIdentifier (TID 4108),
 * AlgorithmIdentification (TID 4019), LanguageOfContentItemAndDescendants, ObserverContext with
 * DeviceObserverIdentifyingAttributes (TID 1002/1004), MeasurementReport (TID 1500) and
 * Comprehensive3DSR. The group and its segmentation reference are built from dcmjs value types
 * because dcmjs's ReferencedSegmentationFrame calls ImageContentItem without `new`, its
 * ImageContentItem drops the segment number (option-name typo), and its group template logs every
 * measurement to the console.
 */
import { sr } from 'dcmjs';
import type { HuRange } from '../tissue/huRange';
import type { Code } from './codes';
import { CONCEPTS, PRIVATE_SCHEME_IDENTIFICATION, UNITS } from './codes';

/** The CT image the figures were measured on. */
export interface SourceImageReference {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
}

/**
 * The DICOM SEG the groups reference (naturalized, as OHIF's `generateSegmentation` returns it). Its
 * Patient and Study attributes (copied there from the source images) become the report's.
 */
export type SegmentationDataset = Record<string, unknown> & {
  SOPClassUID: string;
  SOPInstanceUID: string;
  SeriesInstanceUID: string;
  StudyInstanceUID: string;
};

export interface AlgorithmIdentity {
  name: string;
  version: string;
}

/** One segment's figures on the source image, and where its ROI is in the SEG. */
export interface MeasurementGroupInput {
  segmentLabel: string;
  finding: Code;
  /** Segment Number in the SEG (OHIF writes the labelmap's segment index). */
  segmentNumber: number;
  /** 1-based frame of the SEG that holds this segment on the source image. */
  frameNumber: number;
  /** Tracking Unique Identifier (TID 4108). */
  trackingUid: string;
  /** cm². */
  areaCm2: number;
  /** HU. */
  meanHu: number;
  /** HU (population SD over the counted voxels). */
  sdHu: number;
  voxelCount: number;
  /** cm²/m²; only with a known height. */
  smi?: number;
  /** The range voxels were counted in; undefined = all voxels. */
  huRange?: HuRange;
  /** The SAM2 model that wrote into the segment; undefined for a hand-drawn segment. */
  model?: AlgorithmIdentity;
}

export interface MeasurementReportInput {
  source: SourceImageReference;
  segmentation: SegmentationDataset;
  groups: MeasurementGroupInput[];
  /** Patient height (m) the SMI used. */
  heightM?: number;
  /** The device observer (TID 1004) and the measurement tool named for hand-drawn segments. */
  device: { uid: string; name: string; version: string; manufacturer: string };
  seriesInstanceUid: string;
  sopInstanceUid: string;
  seriesNumber: number;
  seriesDescription: string;
}

/** A naturalized dataset (keywords as keys), plain JSON, ready for `dataSource.store.dicom`. */
export type NaturalizedDataset = Record<string, unknown>;

const { CodedConcept } = sr.coding;
const { CodeContentItem, ContainerContentItem, ImageContentItem, NumContentItem, RelationshipTypes } =
  sr.valueTypes;
const T = sr.templates;

function coded(code: Code): InstanceType<typeof CodedConcept> {
  return new CodedConcept(code);
}

/** A DS value (at most 16 characters, PS3.5 6.2) that keeps 10 significant digits. */
function decimal(value: number): number {
  return Number(value.toPrecision(10));
}

function algorithmFor(group: MeasurementGroupInput, input: MeasurementReportInput, extra: string[] = []) {
  const parameters = [
    group.huRange
      ? `HU range ${group.huRange.min}..${group.huRange.max} HU (voxels outside not counted)`
      : 'HU range: none (all voxels counted)',
  ];
  if (!group.model) parameters.push('segmentation drawn by hand');
  parameters.push(...extra);
  const identity = group.model ?? { name: input.device.name, version: input.device.version };
  return new T.AlgorithmIdentification({ ...identity, parameters });
}

function measurement(
  name: Code,
  value: number,
  unit: Code,
  algorithm: InstanceType<typeof T.AlgorithmIdentification>,
  derivation?: Code,
) {
  const item = new NumContentItem({
    name: coded(name),
    value: decimal(value),
    unit: coded(unit),
    relationshipType: RelationshipTypes.CONTAINS,
  });
  item.ContentSequence = [
    ...(derivation
      ? [
          new CodeContentItem({
            name: coded(CONCEPTS.derivation),
            value: coded(derivation),
            relationshipType: RelationshipTypes.HAS_CONCEPT_MOD,
          }),
        ]
      : []),
    ...algorithm,
  ];
  return item;
}

/** TID 1410 for one segment. */
function measurementGroup(group: MeasurementGroupInput, input: MeasurementReportInput) {
  const container = new ContainerContentItem({
    name: coded({ schemeDesignator: 'DCM', value: '125007', meaning: 'Measurement Group' }),
    relationshipType: RelationshipTypes.CONTAINS,
  });
  const segmentFrame = new ImageContentItem({
    name: coded(CONCEPTS.referencedSegmentationFrame),
    referencedSOPClassUID: input.segmentation.SOPClassUID,
    referencedSOPInstanceUID: input.segmentation.SOPInstanceUID,
    referencedFrameNumbers: [group.frameNumber],
    relationshipType: RelationshipTypes.CONTAINS,
  });
  segmentFrame.ReferencedSOPSequence[0].ReferencedSegmentNumber = [group.segmentNumber];
  const sourceImage = new ImageContentItem({
    name: coded(CONCEPTS.sourceImageForSegmentation),
    referencedSOPClassUID: input.source.sopClassUid,
    referencedSOPInstanceUID: input.source.sopInstanceUid,
    relationshipType: RelationshipTypes.CONTAINS,
  });
  const algorithm = algorithmFor(group, input);
  const hu = UNITS.hounsfieldUnit;
  container.ContentSequence = [
    ...new T.TrackingIdentifier({ uid: group.trackingUid, identifier: group.segmentLabel }),
    new CodeContentItem({
      name: coded(CONCEPTS.finding),
      value: coded(group.finding),
      relationshipType: RelationshipTypes.CONTAINS,
    }),
    segmentFrame,
    sourceImage,
    measurement(CONCEPTS.area, group.areaCm2, UNITS.squareCentimetre, algorithm),
    measurement(CONCEPTS.attenuationCoefficient, group.meanHu, hu, algorithm, CONCEPTS.mean),
    measurement(CONCEPTS.attenuationCoefficient, group.sdHu, hu, algorithm, CONCEPTS.standardDeviation),
    measurement(CONCEPTS.voxelCount, group.voxelCount, UNITS.voxels, algorithm),
  ];
  if (group.smi !== undefined && input.heightM !== undefined) {
    const smiAlgorithm = algorithmFor(group, input, [`patient height ${input.heightM} m`]);
    container.ContentSequence.push(
      measurement(
        CONCEPTS.skeletalMuscleIndex,
        group.smi,
        UNITS.squareCentimetrePerSquareMetre,
        smiAlgorithm,
      ),
    );
  }
  return container;
}

/**
 * The SR dataset (naturalized, plain JSON). Throws when there is no group: an empty report is refused
 * rather than stored.
 */
export function buildMeasurementReport(input: MeasurementReportInput): NaturalizedDataset {
  if (!input.groups.length) throw new Error('no segment to report on this slice');
  const observer = new T.ObserverContext({
    observerType: coded(CONCEPTS.device),
    observerIdentifyingAttributes: new T.DeviceObserverIdentifyingAttributes({
      uid: input.device.uid,
      modelName: `${input.device.name} ${input.device.version}`,
    }),
  });
  observer.push(
    new sr.valueTypes.TextContentItem({
      name: coded(CONCEPTS.deviceObserverName),
      value: input.device.name,
      relationshipType: RelationshipTypes.HAS_OBS_CONTEXT,
    }),
  );
  const report = new T.MeasurementReport({
    languageOfContentItemAndDescendants: new T.LanguageOfContentItemAndDescendants({}),
    observationContext: observer,
    procedureReported: coded(CONCEPTS.procedureCtUnspecified),
    imagingMeasurements: input.groups.map((g) => measurementGroup(g, input)),
  });
  const document = new sr.documents.Comprehensive3DSR({
    content: report[0],
    evidence: [
      input.segmentation,
      {
        StudyInstanceUID: input.source.studyInstanceUid,
        SeriesInstanceUID: input.source.seriesInstanceUid,
        SOPClassUID: input.source.sopClassUid,
        SOPInstanceUID: input.source.sopInstanceUid,
      },
    ],
    seriesInstanceUID: input.seriesInstanceUid,
    seriesNumber: input.seriesNumber,
    seriesDescription: input.seriesDescription,
    sopInstanceUID: input.sopInstanceUid,
    instanceNumber: 1,
    manufacturer: input.device.manufacturer,
    isComplete: true,
  });
  const dataset = JSON.parse(JSON.stringify(document)) as NaturalizedDataset;
  // dcmjs writes text as UTF-8 (patient names copied from the SEG may not be ASCII).
  dataset.SpecificCharacterSet = 'ISO_IR 192';
  dataset.CodingSchemeIdentificationSequence = [PRIVATE_SCHEME_IDENTIFICATION];
  dataset.ManufacturerModelName = input.device.name;
  dataset.SoftwareVersions = input.device.version;
  return dataset;
}
