/**
 * Sam2PromptTool, a Cornerstone tool made at run time from the HOST's BaseTool (the class must come
 * from the same cornerstoneTools instance that runs the tool groups). While it is the active primary
 * tool: a click is a positive point, Shift+click (or Ctrl+click) a negative one, a drag a box. It
 * also draws the current interaction's prompts. Activating any other primary tool (brush, eraser,
 * window/level) makes it passive the usual OHIF way.
 */
import { TOOL_NAME } from '../id';
import type { CornerstoneToolsLike, Point2, Point3, SvgDrawingHelperLike, ViewportLike } from '../host/types';
import { isDrag } from '../imaging/coords';
import { showBoxPreview } from '../ui/overlay';
import type { SessionBox, SessionPoint } from './promptSession';

export interface Gesture {
  viewportId: string;
  start: Point2;
  end: Point2;
  /** Shift or Ctrl held: exclude rather than include. */
  negative: boolean;
  isBox: boolean;
}

export interface PromptToolHandlers {
  onGesture(gesture: Gesture): void;
  /** The prompts to draw on this viewport, if it shows the slice of the current interaction. */
  markersFor(viewport: ViewportLike): { points: SessionPoint[]; box?: SessionBox } | undefined;
}

interface MouseEventDetail {
  element: HTMLDivElement;
  viewportId: string;
  event?: MouseEvent;
  currentPoints?: { canvas: Point2 };
}

interface EnabledElementLike {
  viewport: ViewportLike;
}

const POSITIVE = 'rgb(0, 230, 118)';
const NEGATIVE = 'rgb(255, 82, 82)';
const BOX = 'rgb(255, 212, 0)';

export function createSam2PromptToolClass(cst: CornerstoneToolsLike, handlers: PromptToolHandlers) {
  const { Events } = cst.Enums;

  class Sam2PromptTool extends cst.BaseTool {
    static toolName = TOOL_NAME;
    private endGesture?: () => void;

    constructor(
      toolProps: Record<string, unknown> = {},
      defaultToolProps: Record<string, unknown> = { supportedInteractionTypes: ['Mouse'], configuration: {} },
    ) {
      super(toolProps, defaultToolProps);
    }

    /** Claims the press so no other tool reacts, then follows it to its end: click or box. */
    preMouseDownCallback(evt: CustomEvent<MouseEventDetail>): boolean {
      const { element, viewportId, event, currentPoints } = evt.detail;
      if (!currentPoints) return false;
      this.endGesture?.();
      const start: Point2 = [currentPoints.canvas[0], currentPoints.canvas[1]];
      const negative = !!(event?.shiftKey || event?.ctrlKey);
      let last = start;
      let preview: ReturnType<typeof showBoxPreview> | undefined;

      const onDrag = (e: Event) => {
        const p = (e as CustomEvent<MouseEventDetail>).detail.currentPoints?.canvas;
        if (!p) return;
        last = [p[0], p[1]];
        if (isDrag(start, last)) {
          preview ??= showBoxPreview(element);
          preview.update(start, last);
        }
      };
      const cleanUp = () => {
        element.removeEventListener(Events.MOUSE_DRAG, onDrag);
        element.removeEventListener(Events.MOUSE_UP, onUp);
        element.removeEventListener(Events.MOUSE_CLICK, onUp);
        preview?.remove();
        this.endGesture = undefined;
      };
      const onUp = (e: Event) => {
        const p = (e as CustomEvent<MouseEventDetail>).detail.currentPoints?.canvas;
        const end: Point2 = p ? [p[0], p[1]] : last;
        cleanUp();
        handlers.onGesture({ viewportId, start, end, negative, isBox: isDrag(start, end) });
      };
      element.addEventListener(Events.MOUSE_DRAG, onDrag);
      element.addEventListener(Events.MOUSE_UP, onUp);
      element.addEventListener(Events.MOUSE_CLICK, onUp);
      this.endGesture = cleanUp;
      return true;
    }

    /** Draws the interaction's points (green = include, red = exclude) and box in canvas space. */
    renderAnnotation(enabledElement: EnabledElementLike, svg: SvgDrawingHelperLike): boolean {
      const { viewport } = enabledElement;
      const markers = handlers.markersFor(viewport);
      if (!markers) return false;
      const toCanvas = (w: Point3) => viewport.worldToCanvas(w);
      markers.points.forEach((p, i) => {
        const color = p.label === 1 ? POSITIVE : NEGATIVE;
        cst.drawing.drawCircle(svg, 'sam2-prompts', `point-${i}`, toCanvas(p.world), 5, {
          color,
          fill: color,
          fillOpacity: 0.6,
          lineWidth: 2,
        });
      });
      if (markers.box) {
        cst.drawing.drawRect(
          svg,
          'sam2-prompts',
          'box',
          toCanvas(markers.box.world[0]),
          toCanvas(markers.box.world[1]),
          {
            color: BOX,
            lineDash: '6,4',
            lineWidth: 2,
          },
        );
      }
      return markers.points.length > 0 || !!markers.box;
    }
  }

  return Sam2PromptTool;
}

/** Registers the tool with the host's cornerstoneTools once per page. */
export function registerPromptTool(cst: CornerstoneToolsLike, handlers: PromptToolHandlers): void {
  if (cst.state?.tools?.[TOOL_NAME]) return;
  cst.addTool(createSam2PromptToolClass(cst, handlers));
}

/** Mouse bindings while active: plain, Shift and Ctrl primary clicks all reach the tool. */
export function promptToolBindings(cst: CornerstoneToolsLike) {
  const { MouseBindings, KeyboardBindings } = cst.Enums;
  return [
    { mouseButton: MouseBindings.Primary },
    { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift },
    { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Ctrl },
  ];
}
