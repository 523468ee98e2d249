/**
 * The parts of the viewer's test globals (`window.services`, `window.commandsManager`,
 * `window.cornerstone`, `window.cornerstoneTools`) the helpers read. Only used inside page.evaluate().
 */
export interface CsViewport {
  id: string;
  type: string;
  getCurrentImageId?(): string | undefined;
  getCurrentImageIdIndex?(): number;
  getImageIds?(): string[];
  canvas: HTMLCanvasElement;
}

export interface OhifWindow {
  services: {
    viewportGridService: { getActiveViewportId(): string };
    cornerstoneViewportService: { getCornerstoneViewport(id: string): CsViewport | undefined };
    segmentationService: {
      getActiveSegmentation(viewportId: string): { segmentationId: string } | undefined;
      getSegmentations(): Array<{
        segmentationId: string;
        label?: string;
        segments: Record<string, unknown>;
      }>;
    };
    hangingProtocolService: { getActiveProtocol(): { protocol?: { id: string } } | undefined };
  };
  extensionManager?: { registeredExtensionIds: string[] };
  commandsManager: { runCommand(name: string, options?: Record<string, unknown>): unknown };
  cornerstone: {
    getRenderingEngines(): Array<{ getViewports(): CsViewport[] }>;
    cache: {
      getImage(imageId: string): { voxelManager: { getScalarData(): ArrayLike<number> } } | undefined;
    };
  };
  cornerstoneTools: {
    segmentation: {
      getLabelmapImageIdsForImageId(imageId: string, segmentationId: string): string[] | undefined;
    };
  };
}
