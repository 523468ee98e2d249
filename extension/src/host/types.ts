/**
 * The slices of OHIF 3.13 and Cornerstone3D 5.x this extension touches, typed structurally. The real
 * objects come from the host viewer at run time (never imported), so these describe, not define, them.
 */
import type { ImageLike } from '../imaging/pixels';
import type { VoiRange } from '../imaging/window';

export type Point2 = [number, number];
export type Point3 = [number, number, number];

export interface Subscription {
  unsubscribe(): void;
}

export interface PubSubLike {
  EVENTS: Record<string, string>;
  subscribe(event: string, callback: (payload?: unknown) => void): Subscription;
}

export interface ViewportLike {
  id: string;
  type?: string;
  element: HTMLDivElement;
  getCurrentImageId(): string | undefined;
  getCurrentImageIdIndex?(): number;
  getImageIds?(): string[];
  /** Stack and volume viewports: the display state (invert is what is on screen, not the header's). */
  getProperties(): { voiRange?: VoiRange; invert?: boolean; VOILUTFunction?: string } | undefined;
  canvasToWorld(point: Point2): Point3;
  worldToCanvas(point: Point3): Point2;
  getCanvas?(): HTMLCanvasElement;
  render(): void;
  /** Volume viewports (MPR): the id of the volume shown. */
  getVolumeId?(): string;
}

/** The geometry of a cached volume as Cornerstone renders it (imageIds sorted along the normal). */
export interface VolumeLike {
  imageIds: string[];
  /** Centre of voxel (0, 0, 0), mm. */
  origin: ArrayLike<number>;
  /** Row cosines, column cosines, slice normal (3 × 3, row-major). */
  direction: ArrayLike<number>;
  /** [between columns, between rows, between slices], mm. */
  spacing: ArrayLike<number>;
  /** [columns, rows, slices]. */
  dimensions: ArrayLike<number>;
}

export interface DisplaySetLike {
  displaySetInstanceUID: string;
  Modality?: string;
  StudyInstanceUID?: string;
  SeriesInstanceUID?: string;
  imageIds?: string[];
  isReconstructable?: boolean;
}

export interface SegmentLike {
  segmentIndex: number;
  label: string;
  locked?: boolean;
  active?: boolean;
  /** Read by OHIF's DICOM SEG export (SegmentAlgorithmType / SegmentAlgorithmName). */
  algorithmType?: string;
  algorithmName?: string;
}

export interface SegmentationLike {
  segmentationId: string;
  label?: string;
  segments: Record<string, SegmentLike | undefined>;
  representationData?: { Labelmap?: { imageIds?: string[]; referencedImageIds?: string[] } };
}

export interface SegmentationServiceLike extends PubSubLike {
  getActiveSegmentation(viewportId: string): SegmentationLike | null | undefined;
  getSegmentation(segmentationId: string): SegmentationLike | undefined;
  addSegment(
    segmentationId: string,
    config: { segmentIndex?: number; label?: string; color?: number[]; active?: boolean },
  ): void;
  getNextAvailableSegmentIndex(segmentationId: string): number;
  setSegmentLabel(segmentationId: string, segmentIndex: number, label: string): void;
  setSegmentColor(viewportId: string, segmentationId: string, segmentIndex: number, color: number[]): void;
  setActiveSegment(segmentationId: string, segmentIndex: number): void;
  getViewportIdsWithSegmentation?(segmentationId: string): string[];
}

export interface ToolGroupLike {
  id: string;
  hasTool(toolName: string): boolean;
  getActivePrimaryMouseButtonTool(): string | undefined;
  getToolOptions?(toolName: string): { mode?: string } | undefined;
}

export interface ToolGroupServiceLike {
  getToolGroupIds(): string[];
  getToolGroup(toolGroupId?: string): ToolGroupLike | undefined;
  getToolGroupForViewport(viewportId: string): ToolGroupLike | undefined;
}

export interface ToolbarButtonDefinition {
  id: string;
  uiType: string;
  props: Record<string, unknown>;
}

export interface ToolbarServiceLike {
  sections: { primary: string };
  register(buttons: ToolbarButtonDefinition[], replace?: boolean): void;
  updateSection(sectionId: string, buttonIds: string[]): void;
  refreshToolbarState(props: { viewportId?: string }): void;
  state?: { buttonSections?: Record<string, string[]> };
}

export interface NotificationOptions {
  title: string;
  message: string;
  type?: 'info' | 'success' | 'warning' | 'error';
  duration?: number;
  allowDuplicates?: boolean;
  action?: { label: string; onClick: () => void };
}

export interface ViewportDialogAction {
  id: string;
  type: 'primary' | 'secondary';
  text: string;
  value: string;
}

export interface ViewportDialogOptions {
  viewportId: string;
  id?: string;
  type: 'info' | 'warning' | 'error' | 'success';
  message: string;
  actions: ViewportDialogAction[];
  onSubmit: (value: string) => void;
  onOutsideClick?: () => void;
  onKeyPress?: (event: KeyboardEvent) => void;
}

export interface ServicesLike {
  viewportGridService: PubSubLike & {
    getActiveViewportId(): string;
    getDisplaySetsUIDsForViewport(viewportId: string): string[] | undefined;
  };
  cornerstoneViewportService: PubSubLike & {
    getCornerstoneViewport(viewportId: string): ViewportLike | null | undefined;
  };
  displaySetService: { getDisplaySetByUID(uid: string): DisplaySetLike | undefined };
  segmentationService: SegmentationServiceLike;
  toolbarService: ToolbarServiceLike;
  toolGroupService: ToolGroupServiceLike;
  uiNotificationService: { show(options: NotificationOptions): string | undefined; hide?(id: string): void };
  uiViewportDialogService: { show(options: ViewportDialogOptions): void; hide(): void };
}

export interface ServicesManagerLike {
  services: ServicesLike;
}

export interface CommandsManagerLike {
  runCommand(name: string, options?: Record<string, unknown>, context?: string): unknown;
}

export interface ExtensionManagerLike {
  getModuleEntry(id: string): { exports?: Record<string, unknown> } | undefined;
}

export interface VoxelManagerLike {
  getAtIndex(index: number): number;
  setAtIndex(index: number, value: number): void;
  getScalarData?(): ArrayLike<number>;
  getCompleteScalarDataArray?(): ArrayLike<number>;
}

export interface CachedImage extends ImageLike {
  imageId: string;
  voxelManager?: VoxelManagerLike;
}

export interface LabelmapMemoLike {
  voxelManager: VoxelManagerLike;
  commitMemo(): boolean;
}

export interface HistoryMemoLike {
  push(memo: unknown): unknown;
  startGroupRecording(): void;
  endGroupRecording(): void;
}

export interface CornerstoneLike {
  cache: {
    getImage(imageId: string): CachedImage | undefined;
    getVolume?(volumeId: string): VolumeLike | undefined;
  };
  metaData: { get(type: string, imageId: string): Record<string, unknown> | undefined };
  utilities: {
    /** Not for prompts: it divides the row distance by the ROW spacing, swapping unequal spacings. */
    worldToImageCoords(imageId: string, world: Point3): Point2;
    imageToWorldCoords?(imageId: string, image: Point2): Point3;
    HistoryMemo: { DefaultHistoryMemo: HistoryMemoLike };
  };
  eventTarget: EventTarget;
  Enums: { Events: Record<string, string> };
}

export interface SvgDrawingHelperLike {
  svgLayerElement?: SVGElement;
}

export interface BaseToolLike {
  configuration: Record<string, unknown>;
}

export type BaseToolConstructor = new (
  toolProps?: Record<string, unknown>,
  defaultToolProps?: Record<string, unknown>,
) => BaseToolLike;

export interface CornerstoneToolsLike {
  BaseTool: BaseToolConstructor;
  addTool(toolClass: unknown): void;
  state?: { tools?: Record<string, unknown> };
  Enums: {
    Events: Record<string, string>;
    MouseBindings: Record<string, number>;
    KeyboardBindings: Record<string, number>;
  };
  segmentation: {
    getLabelmapImageIdsForImageId?(imageId: string, segmentationId: string): string[] | undefined;
    updateSegmentations?(
      updates: { segmentationId: string; payload: { segments: Record<string, SegmentLike | undefined> } }[],
    ): void;
    triggerSegmentationEvents: {
      triggerSegmentationDataModified(segmentationId: string, ...rest: unknown[]): void;
    };
  };
  utilities: {
    segmentation: {
      createLabelmapMemo?(segmentationId: string, voxelManager: VoxelManagerLike): LabelmapMemoLike;
      LabelmapMemo?: {
        createLabelmapMemo(segmentationId: string, voxelManager: VoxelManagerLike): LabelmapMemoLike;
      };
      /** Queues a SegmentationRenderingEngine pass for the viewport (then SEGMENTATION_RENDERED). */
      triggerSegmentationRender?(viewportId?: string): void;
    };
    triggerAnnotationRenderForViewportIds?(viewportIds: string[]): void;
  };
  drawing: {
    drawCircle(
      svg: SvgDrawingHelperLike,
      annotationUID: string,
      circleUID: string,
      center: Point2,
      radius: number,
      options?: Record<string, unknown>,
    ): void;
    drawRect(
      svg: SvgDrawingHelperLike,
      annotationUID: string,
      rectUID: string,
      start: Point2,
      end: Point2,
      options?: Record<string, unknown>,
    ): void;
  };
}

export interface CornerstoneLibraries {
  cornerstone: CornerstoneLike;
  cornerstoneTools: CornerstoneToolsLike;
}
