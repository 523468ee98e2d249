import type { Page } from 'playwright-core';

/**
 * What the screen showed when a click's render step ended, read from the viewport's canvas pixels
 * (not from the extension): listeners on Cornerstone's IMAGE_RENDERED (the active viewport's element)
 * and SEGMENTATION_RENDERED copy the canvas pixel under the probe as each frame is painted.
 */
export interface PaintOfClick {
  /** Full viewport renders from the start of the click's render step to its end. */
  rendersUntilPaint: number;
  /** Mean RGB of the 3 × 3 canvas pixels at the probe in the frame that ended the render step. */
  rgbAtPaint: [number, number, number] | null;
}

interface ProbeState {
  probe?: [number, number];
  readAt(x: number, y: number): [number, number, number];
  images: number[];
  segmentations: Array<{ t: number; rgb: [number, number, number] | null }>;
}

type ProbeWindow = {
  __paintProbe?: ProbeState;
  cornerstone: {
    eventTarget: EventTarget;
    Enums: { Events: { IMAGE_RENDERED: string } };
    getEnabledElementByViewportId(id: string): {
      viewport: { element: HTMLElement; canvas: HTMLCanvasElement };
    };
  };
  cornerstoneTools: { Enums: { Events: { SEGMENTATION_RENDERED: string } } };
  services: { viewportGridService: { getActiveViewportId(): string } };
};

/** Installs the listeners on the active viewport (once per page). */
export function installPaintProbe(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as ProbeWindow;
    if (w.__paintProbe) return;
    const viewportId = w.services.viewportGridService.getActiveViewportId();
    const { viewport } = w.cornerstone.getEnabledElementByViewportId(viewportId);
    const readAt = (x: number, y: number): [number, number, number] => {
      const copy = document.createElement('canvas');
      copy.width = 3;
      copy.height = 3;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(viewport.canvas, x - 1, y - 1, 3, 3, 0, 0, 3, 3);
      const { data } = ctx.getImageData(0, 0, 3, 3);
      const sum = [0, 0, 0];
      for (let i = 0; i < 9; i++) for (let k = 0; k < 3; k++) sum[k] += data[4 * i + k];
      return sum.map((v) => v / 9) as [number, number, number];
    };
    const state: ProbeState = { readAt, images: [], segmentations: [] };
    w.__paintProbe = state;
    const read = () => (state.probe ? readAt(...state.probe) : null);
    viewport.element.addEventListener(w.cornerstone.Enums.Events.IMAGE_RENDERED, () =>
      state.images.push(performance.now()),
    );
    w.cornerstone.eventTarget.addEventListener(w.cornerstoneTools.Enums.Events.SEGMENTATION_RENDERED, (e) => {
      if ((e as CustomEvent<{ viewportId?: string }>).detail?.viewportId !== viewportId) return;
      state.segmentations.push({ t: performance.now(), rgb: read() });
    });
  });
}

/** Canvas pixel under a page position, as the probe reads it. */
function toCanvas(page: Page, at: { x: number; y: number }): Promise<[number, number]> {
  return page.evaluate((p) => {
    const w = window as unknown as ProbeWindow;
    const { viewport } = w.cornerstone.getEnabledElementByViewportId(
      w.services.viewportGridService.getActiveViewportId(),
    );
    const rect = viewport.canvas.getBoundingClientRect();
    return [
      Math.floor(((p.x - rect.x) * viewport.canvas.width) / rect.width),
      Math.floor(((p.y - rect.y) * viewport.canvas.height) / rect.height),
    ] as [number, number];
  }, at);
}

/** Points the probe at a page position for the next frames. */
export async function aimPaintProbe(page: Page, at: { x: number; y: number }): Promise<void> {
  const probe = await toCanvas(page, at);
  await page.evaluate((p) => {
    (window as unknown as ProbeWindow).__paintProbe!.probe = p;
  }, probe);
}

/** The canvas pixel at a page position as shown now (mean RGB of 3 × 3); needs installPaintProbe. */
export async function canvasRgbAt(
  page: Page,
  at: { x: number; y: number },
): Promise<[number, number, number]> {
  const [x, y] = await toCanvas(page, at);
  return page.evaluate(([cx, cy]) => (window as unknown as ProbeWindow).__paintProbe!.readAt(cx, cy), [
    x,
    y,
  ] as [number, number]);
}

/**
 * The last click's paint: its render step is the extension's last `sam2:render` User Timing measure;
 * the frame that ended it is the last SEGMENTATION_RENDERED at or before the measure's end.
 */
export function paintOfLastClick(page: Page): Promise<PaintOfClick> {
  return page.evaluate(() => {
    const state = (window as unknown as ProbeWindow).__paintProbe!;
    const measures = performance.getEntriesByName('sam2:render', 'measure');
    const last = measures[measures.length - 1];
    if (!last) return { rendersUntilPaint: 0, rgbAtPaint: null };
    const end = last.startTime + last.duration + 0.5;
    const frames = state.segmentations.filter((s) => s.t <= end);
    return {
      rendersUntilPaint: state.images.filter((t) => t >= last.startTime && t <= end).length,
      rgbAtPaint: frames.length ? frames[frames.length - 1].rgb : null,
    };
  });
}
