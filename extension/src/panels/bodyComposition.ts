/**
 * The state behind the body-composition panel: what the active viewport shows, the patient height
 * per study (from Patient Size (0010,1020) or typed by the user; kept in memory for this page only,
 * never stored in the browser), the SAM2 model per segment, and the CSV of the whole series.
 */
import { getConfig } from '../config';
import type { CornerstoneLibraries, SegmentationLike, ServicesLike } from '../host/types';
import type { MeasurementRow } from '../measurements/csv';
import { measurementsToCsv } from '../measurements/csv';
import { heightFromPatientSize } from '../measurements/smi';
import type { ImageMeasurements, ModelIdentity } from './measureImage';
import { measureImage } from './measureImage';

export interface ShownSlice {
  viewportId: string;
  studyInstanceUid?: string;
  imageId: string;
  /** Height used for SMI, and where it came from. */
  heightM?: number;
  heightSource?: 'entered' | 'PatientSize';
  measurements?: ImageMeasurements;
}

interface LoaderLike {
  loadAndCacheImage?(imageId: string): Promise<unknown>;
}

export class BodyComposition {
  private readonly enteredHeights = new Map<string, number>();
  private readonly models = new Map<string, ModelIdentity>();

  constructor(
    private readonly libs: () => CornerstoneLibraries,
    private readonly services: () => ServicesLike,
  ) {}

  /** Records which model wrote into a segment (for the CSV's model columns). */
  noteModel(segmentationId: string, segmentIndex: number, model: ModelIdentity): void {
    this.models.set(`${segmentationId}:${segmentIndex}`, model);
  }

  /** Remembers a typed height (m) for the study; undefined forgets it. */
  setHeight(studyInstanceUid: string, heightM: number | undefined): void {
    if (heightM === undefined) this.enteredHeights.delete(studyInstanceUid);
    else this.enteredHeights.set(studyInstanceUid, heightM);
  }

  private heightFor(
    studyUid: string | undefined,
    imageId: string,
  ): Pick<ShownSlice, 'heightM' | 'heightSource'> {
    const entered = studyUid ? this.enteredHeights.get(studyUid) : undefined;
    if (entered !== undefined) return { heightM: entered, heightSource: 'entered' };
    const fromHeader = heightFromPatientSize(
      this.libs().cornerstone.metaData.get('patientStudyModule', imageId)?.patientSize,
    );
    return fromHeader !== undefined ? { heightM: fromHeader, heightSource: 'PatientSize' } : {};
  }

  private activeSegmentation(viewportId: string): SegmentationLike | undefined {
    return this.services().segmentationService.getActiveSegmentation(viewportId) ?? undefined;
  }

  /** The figures of the slice the active viewport shows; undefined without an image. */
  shownSlice(): ShownSlice | undefined {
    const services = this.services();
    const viewportId = services.viewportGridService.getActiveViewportId();
    const viewport = services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
    const imageId = viewport?.getCurrentImageId();
    if (!viewport || !imageId) return undefined;
    const libs = this.libs();
    const studyInstanceUid =
      (libs.cornerstone.metaData.get('generalStudyModule', imageId)?.studyInstanceUID as
        string | undefined) ?? undefined;
    const height = this.heightFor(studyInstanceUid, imageId);
    const segmentation = this.activeSegmentation(viewportId);
    const measurements = segmentation
      ? measureImage(libs, segmentation, imageId, {
          huRanges: getConfig().huRanges,
          heightM: height.heightM,
          models: this.models,
        })
      : undefined;
    return { viewportId, studyInstanceUid, imageId, ...height, measurements };
  }

  /**
   * One row per slice and segment of the active viewport's series that holds segment voxels, in
   * series order. Images not yet in the cache are loaded first.
   */
  async seriesRows(): Promise<MeasurementRow[]> {
    const shown = this.shownSlice();
    if (!shown) return [];
    const services = this.services();
    const segmentation = this.activeSegmentation(shown.viewportId);
    if (!segmentation) return [];
    const uid = services.viewportGridService.getDisplaySetsUIDsForViewport(shown.viewportId)?.[0];
    const viewport = services.cornerstoneViewportService.getCornerstoneViewport(shown.viewportId);
    const imageIds =
      (uid ? services.displaySetService.getDisplaySetByUID(uid)?.imageIds : undefined) ??
      viewport?.getImageIds?.() ??
      [];
    const libs = this.libs();
    const loader = (libs.cornerstone as unknown as { imageLoader?: LoaderLike }).imageLoader;
    const rows: MeasurementRow[] = [];
    for (const imageId of imageIds) {
      if (!libs.cornerstone.cache.getImage(imageId) && loader?.loadAndCacheImage) {
        await loader.loadAndCacheImage(imageId).catch(() => undefined);
      }
      const height = this.heightFor(shown.studyInstanceUid, imageId);
      const m = measureImage(libs, segmentation, imageId, {
        huRanges: getConfig().huRanges,
        heightM: height.heightM,
        models: this.models,
      });
      if (m) rows.push(...m.rows);
    }
    return rows;
  }

  async seriesCsv(): Promise<string> {
    return measurementsToCsv(await this.seriesRows());
  }
}
