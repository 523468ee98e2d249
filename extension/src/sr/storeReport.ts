/**
 * "Store SR": the shown slice's body-composition figures stored to the PACS as a TID 1500 report,
 * through the active OHIF data source (`dataSource.store.dicom`, STOW-RS for DICOMweb).
 *
 * The report references the segmentation it measured, so the segmentation is stored first, as a DICOM
 * SEG made by OHIF's own export (command `generateSegmentation` of @ohif/extension-cornerstone-dicom-seg,
 * the one behind Export > DICOM SEG): a new SEG instance on every store, holding exactly the mask the
 * figures were measured on. Nothing is logged (the datasets carry patient identifiers).
 */
import type { CommandsManagerLike, CornerstoneLibraries, ServicesLike } from '../host/types';
import type { MeasurementRow } from '../measurements/csv';
import { getContextBySegmentLabel, huRangeOf } from '../contexts';
import { getConfig } from '../config';
import type { ShownSlice } from '../panels/bodyComposition';
import { findingFor } from './codes';
import type { MeasurementGroupInput, NaturalizedDataset, SegmentationDataset } from './measurementReport';
import { buildMeasurementReport } from './measurementReport';
import { segFrameNumber } from './segFrames';
import { data as dcmjsData } from 'dcmjs';

/** The measurement tool named as device observer, and as algorithm for hand-drawn segments. */
export const MEASUREMENT_DEVICE = {
  /** A fixed UID (2.25 form, PS3.5 B.2) identifying this tool as Device Observer UID. */
  uid: '2.25.160281436213957046722419387215307445311',
  name: 'OHIF SAM2 body composition',
  version: '0.1.0',
  manufacturer: 'OHIF SAM2 extension',
};

/** Series Number of the stored SR (OHIF numbers its first SEG series 3101). */
export const SR_SERIES_NUMBER = 4101;

export interface DataSourceLike {
  store?: { dicom?(dataset: NaturalizedDataset): Promise<unknown> };
}

export interface StoreDeps {
  services: ServicesLike;
  commandsManager: CommandsManagerLike;
  libs: CornerstoneLibraries;
  /** OHIF's extensionManager.getActiveDataSource()[0]. */
  dataSource(): DataSourceLike | undefined;
  /** Its definition's namespace, e.g. "@ohif/extension-default.dataSourcesModule.dicomweb". */
  dataSourceNamespace(): string | undefined;
}

/** OHIF's local-files data source: its "store" downloads through the page's location, no PACS. */
const LOCAL_FILES_NAMESPACE = /\.dicomlocal$/;

export interface StoredReport {
  srSopInstanceUid: string;
  segSopInstanceUid: string;
  groups: number;
}

/** An error whose message the panel shows as it is. */
export class StoreError extends Error {}

async function generateSeg(deps: StoreDeps, segmentationId: string): Promise<SegmentationDataset> {
  const generated = (await deps.commandsManager.runCommand('generateSegmentation', {
    segmentationId,
    options: { SeriesDescription: 'SAM2 body composition SEG' },
  })) as { dataset?: SegmentationDataset } | undefined;
  const dataset = generated?.dataset;
  if (!dataset) throw new StoreError("OHIF's DICOM SEG export is not available in this mode.");
  // dcmjs writes a placeholder Study ID; OHIF's own store clears it the same way.
  if (dataset.StudyID === 'No Study ID') dataset.StudyID = '';
  return dataset;
}

function groupFor(
  row: MeasurementRow,
  seg: SegmentationDataset,
  sopInstanceUid: string,
): MeasurementGroupInput {
  const segmentNumber = row.segmentIndex;
  if (segmentNumber === undefined) throw new StoreError(`Segment "${row.segmentLabel}" has no index.`);
  const frameNumber = segFrameNumber(seg, sopInstanceUid, segmentNumber);
  if (frameNumber === undefined)
    throw new StoreError(`The stored SEG has no frame for "${row.segmentLabel}" on this slice.`);
  const context = getContextBySegmentLabel(row.segmentLabel);
  return {
    segmentLabel: row.segmentLabel,
    finding: findingFor(context?.tissue, context?.id),
    segmentNumber,
    frameNumber,
    trackingUid: dcmjsData.DicomMetaDictionary.uid(),
    areaCm2: row.areaCm2,
    meanHu: row.meanHu,
    sdHu: row.sdHu,
    voxelCount: row.voxelCount,
    smi: row.smi,
    huRange: context ? huRangeOf(context, getConfig().huRanges) : undefined,
    model: row.modelName && row.modelVersion ? { name: row.modelName, version: row.modelVersion } : undefined,
  };
}

/**
 * Stores the SEG, then the SR of `shown` (the panel's current slice). Throws StoreError with a message
 * for the user when there is nothing to store or no way to store it; errors of the data source are
 * passed on.
 */
export async function storeSliceReport(
  deps: StoreDeps,
  shown: ShownSlice | undefined,
): Promise<StoredReport> {
  const rows = shown?.measurements?.rows ?? [];
  if (!shown || !rows.length) throw new StoreError('Nothing to store: no segment on this slice.');
  if (LOCAL_FILES_NAMESPACE.test(deps.dataSourceNamespace() ?? ''))
    throw new StoreError(
      'The study was opened from local files: there is no PACS to store to. Use Export CSV, or open the study from the PACS.',
    );
  const dataSource = deps.dataSource();
  const storeDicom = dataSource?.store?.dicom?.bind(dataSource.store);
  if (!storeDicom) throw new StoreError('The active data source cannot store DICOM (no STOW-RS).');
  const segmentation = deps.services.segmentationService.getActiveSegmentation(shown.viewportId);
  if (!segmentation) throw new StoreError('Nothing to store: no segmentation on this viewport.');

  const meta = (type: string) => deps.libs.cornerstone.metaData.get(type, shown.imageId) ?? {};
  const sop = meta('sopCommonModule');
  const source = {
    studyInstanceUid: String(meta('generalStudyModule').studyInstanceUID ?? ''),
    seriesInstanceUid: String(meta('generalSeriesModule').seriesInstanceUID ?? ''),
    sopClassUid: String(sop.sopClassUID ?? ''),
    sopInstanceUid: String(sop.sopInstanceUID ?? ''),
  };
  if (!source.sopClassUid || !source.sopInstanceUid)
    throw new StoreError('The shown image has no SOP Class / Instance UID.');

  const seg = await generateSeg(deps, segmentation.segmentationId);
  const groups = rows.map((row) => groupFor(row, seg, source.sopInstanceUid));
  await storeDicom(seg);
  const report = buildMeasurementReport({
    source,
    segmentation: seg,
    groups,
    heightM: shown.heightM,
    device: MEASUREMENT_DEVICE,
    seriesInstanceUid: dcmjsData.DicomMetaDictionary.uid(),
    sopInstanceUid: dcmjsData.DicomMetaDictionary.uid(),
    seriesNumber: SR_SERIES_NUMBER,
    seriesDescription: 'SAM2 body composition',
  });
  await storeDicom(report);
  return {
    srSopInstanceUid: String(report.SOPInstanceUID),
    segSopInstanceUid: seg.SOPInstanceUID,
    groups: groups.length,
  };
}
