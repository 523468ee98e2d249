/**
 * Coded concepts of the body-composition measurement report (DICOM PS3.16). Plain data (scheme,
 * value, meaning), turned into dcmjs CodedConcepts by the report builder.
 *
 * Schemes: DCM (DICOM Controlled Terminology, PS3.16 Annex D), SCT (SNOMED CT), UCUM (units),
 * LN (LOINC) and 99SAM2, this extension's private scheme (PS3.16 §8.2: designators starting "99"
 * are private), used only where no standard code exists and declared in the dataset's Coding Scheme
 * Identification Sequence.
 */
import type { Tissue } from '../tissue/huRange';

export interface Code {
  schemeDesignator: string;
  value: string;
  meaning: string;
}

const dcm = (value: string, meaning: string): Code => ({ schemeDesignator: 'DCM', value, meaning });
const sct = (value: string, meaning: string): Code => ({ schemeDesignator: 'SCT', value, meaning });
const ucum = (value: string, meaning: string): Code => ({ schemeDesignator: 'UCUM', value, meaning });
const priv = (value: string, meaning: string): Code => ({ schemeDesignator: PRIVATE_SCHEME, value, meaning });

/** Our private coding scheme designator and its Coding Scheme Identification item (PS3.3 C.12.1). */
export const PRIVATE_SCHEME = '99SAM2';
export const PRIVATE_SCHEME_IDENTIFICATION = {
  CodingSchemeDesignator: PRIVATE_SCHEME,
  CodingSchemeName: 'OHIF SAM2 body-composition codes',
  CodingSchemeResponsibleOrganization: 'OHIF SAM2 extension',
};

/** Concept names of the report's items (PS3.16 TID 1500, 1410, 4108, 4019, 1004, 300). */
export const CONCEPTS = {
  /** TID 1500 row 1, the document title (CID 7021). */
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  /** TID 1500 row 4 (LOINC 25045-6, CID 100 "Quantitative Diagnostic Imaging Procedures"). */
  procedureCtUnspecified: { schemeDesignator: 'LN', value: '25045-6', meaning: 'CT unspecified body region' },
  /** TID 1001/1002: the observer is a device (TID 1004). */
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  /** TID 1004 row 2 (dcmjs labels 121013 "Manufacturer", which is 121014: written here by hand). */
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  /** TID 1410 row 4 "Finding" (the segment's structure). */
  finding: dcm('121071', 'Finding'),
  /** TID 1410 row 8: one frame of a DICOM SEG, with its segment number. */
  referencedSegmentationFrame: dcm('121214', 'Referenced Segmentation Frame'),
  /** TID 1410 row 9: the image the segmentation frame was derived from. */
  sourceImageForSegmentation: dcm('121233', 'Source image for segmentation'),
  /** TID 300 row 2 "Derivation" (CID 3488 Min/Max/Mean). */
  derivation: dcm('121401', 'Derivation'),
  /** CID 7470 Linear/area measurements. */
  area: sct('42798000', 'Area'),
  /** CID 7180 / TID 1419: a CT attenuation value, with a derivation (mean, SD). */
  attenuationCoefficient: dcm('112031', 'Attenuation Coefficient'),
  mean: sct('373098007', 'Mean'),
  standardDeviation: sct('386136009', 'Standard Deviation'),
  /** No standard concept for "number of voxels in the ROI": private. */
  voxelCount: priv('VOXELS', 'Voxel count'),
  /** Skeletal muscle index = SMA / height² (no standard concept): private. */
  skeletalMuscleIndex: priv('SMI', 'Skeletal muscle index'),
} as const;

/** UCUM units (PS3.16 CID 7181 / 82 "Units of Measurement"). */
export const UNITS = {
  squareCentimetre: ucum('cm2', 'square centimeter'),
  hounsfieldUnit: ucum("[hnsf'U]", 'Hounsfield unit'),
  voxels: ucum('{voxels}', 'voxels'),
  squareCentimetrePerSquareMetre: ucum('cm2/m2', 'square centimeter per square meter'),
} as const;

/**
 * The Finding of a segment by its tissue or label:
 * - skeletal muscle: SCT 127954009 "Skeletal muscle structure";
 * - L3 vertebra: SCT 36470004 "L3 vertebra" (CID 7603 "Vertebra");
 * - SAT: SCT 71966008 "Subcutaneous tissue" (CID 7166 "Common Tissue Segmentation Types");
 * - VAT: no SCT concept in the DICOM context groups, private 99SAM2 "VAT";
 * - anything else: SCT 85756007 "Tissue" (CID 7166), as OHIF's SEG export codes every segment.
 */
export function findingFor(tissue: Tissue | undefined, contextId: string | undefined): Code {
  if (tissue === 'skeletal-muscle') return sct('127954009', 'Skeletal muscle structure');
  if (tissue === 'sat') return sct('71966008', 'Subcutaneous tissue');
  if (tissue === 'vat') return priv('VAT', 'Visceral adipose tissue');
  if (contextId === 'l3-vertebra') return sct('36470004', 'L3 vertebra');
  return sct('85756007', 'Tissue');
}
