/**
 * The SAM2 Segmentation mode: OHIF's bundled segmentation mode (loaded at run time, not copied) plus
 * the SAM2 buttons and Sam2PromptTool. Everything else (layout, panels, brush/eraser tools,
 * hanging protocol, undo/redo) is the segmentation mode's own.
 */
import { BASE_MODE, DISPLAY_NAME, MODE_ID, PANEL_ID, ROUTE_NAME, UTILITY_MODULE_ID } from './ids';

/* Structural types of the OHIF objects the mode touches (the host provides them at run time). */
type Unsubscribe = () => void;

interface ToolbarService {
  sections: { primary: string };
  state: { buttonSections: Record<string, string[] | undefined> };
  register(buttons: unknown[], replace?: boolean): void;
  updateSection(section: string, ids: string[]): void;
}

interface ToolGroupService {
  getToolGroupIds(): string[];
  getToolGroup(id: string): { hasTool(name: string): boolean } | undefined;
  addToolsToToolGroup(id: string, tools: { passive: Array<{ toolName: string }> }): void;
}

export interface ModeContext {
  servicesManager: { services: { toolbarService: ToolbarService; toolGroupService: ToolGroupService } };
  extensionManager: { getModuleEntry(id: string): { exports?: unknown } | undefined };
  commandsManager?: unknown;
  appConfig?: unknown;
}

/** What the extension's utility module exports (see extension/src/utilityModule.ts). */
export interface Sam2Utility {
  getToolbarButtons(): unknown[];
  primaryButtonIds: string[];
  buttonSections: Record<string, string[]>;
  addPromptToolToToolGroups(toolGroupService: ToolGroupService): string[];
  enterMode(): void;
}

export interface ModeInstance {
  id: string;
  routeName: string;
  displayName: string;
  extensions: Record<string, string>;
  onModeEnter?: (this: ModeInstance, ctx: ModeContext) => void;
  onModeExit?: (this: ModeInstance, ctx: ModeContext) => void;
  _unsubscriptions?: Unsubscribe[];
  [key: string]: unknown;
}

interface BaseModeModule {
  modeInstance: ModeInstance;
  extensionDependencies?: Record<string, string>;
}

export interface Sam2ModeOptions {
  /**
   * Key of the SAM2 extension in the mode's `extensions`: OHIF passes these keys to its module loader,
   * so a runtime-loaded extension must be listed by the URL it is served at (in an OHIF monorepo
   * build, its package name).
   */
  extensionKey: string;
}

/** Registers the SAM2 toolbar and tool after the segmentation mode's own enter. */
export function addSam2ToMode(ctx: ModeContext): boolean {
  const { toolbarService, toolGroupService } = ctx.servicesManager.services;
  const sam2 = ctx.extensionManager.getModuleEntry(UTILITY_MODULE_ID)?.exports as Sam2Utility | undefined;
  if (!sam2) {
    console.error(`[SAM2] ${UTILITY_MODULE_ID} not found: is the SAM2 extension loaded?`);
    return false;
  }
  sam2.addPromptToolToToolGroups(toolGroupService);
  toolbarService.register(sam2.getToolbarButtons());
  for (const [section, ids] of Object.entries(sam2.buttonSections))
    toolbarService.updateSection(section, ids);
  const primary = toolbarService.sections.primary;
  const existing = toolbarService.state.buttonSections[primary] ?? [];
  toolbarService.updateSection(primary, [
    ...existing,
    ...sam2.primaryButtonIds.filter((id) => !existing.includes(id)),
  ]);
  sam2.enterMode();
  return true;
}

interface RouteLike {
  layoutInstance?: { props?: { rightPanels?: unknown[] } & Record<string, unknown> } & Record<
    string,
    unknown
  >;
  [key: string]: unknown;
}

/**
 * The routes with the body-composition panel appended to each layout's right-hand panels (after the
 * segmentation panels, so those stay the first tab). Copies; the base mode's objects are not changed.
 */
export function withBodyCompositionPanel(routes: unknown): unknown {
  if (!Array.isArray(routes)) return routes;
  return routes.map((route: RouteLike) => {
    const layout = route?.layoutInstance;
    const panels = layout?.props?.rightPanels;
    if (!layout || !Array.isArray(panels) || panels.includes(PANEL_ID)) return route;
    return {
      ...route,
      layoutInstance: { ...layout, props: { ...layout.props, rightPanels: [...panels, PANEL_ID] } },
    };
  });
}

/** Extends the segmentation mode's instance; `base` is what its modeFactory returned. */
export function extendSegmentationMode(base: ModeInstance, options: Sam2ModeOptions): ModeInstance {
  const baseEnter = base.onModeEnter;
  return {
    ...base,
    id: MODE_ID,
    routeName: ROUTE_NAME,
    displayName: DISPLAY_NAME,
    extensions: { ...base.extensions, [options.extensionKey]: '^0.1.0' },
    routes: withBodyCompositionPanel(base.routes),
    onModeEnter(this: ModeInstance, ctx: ModeContext) {
      baseEnter?.call(this, ctx);
      addSam2ToMode(ctx);
    },
  };
}

type LoadModules = (names: string[]) => Promise<unknown[]>;

/** The mode module OHIF imports: `{ id, modeFactory }`. */
export function createSam2Mode(options: Sam2ModeOptions) {
  return {
    id: MODE_ID,
    async modeFactory({
      modeConfiguration,
      loadModules,
    }: {
      modeConfiguration?: unknown;
      loadModules: LoadModules;
    }): Promise<ModeInstance> {
      const [segmentation] = (await loadModules([BASE_MODE])) as [
        BaseModeModule & { modeFactory?: (args: unknown) => ModeInstance | Promise<ModeInstance> },
      ];
      if (!segmentation?.modeInstance) throw new Error(`[SAM2] ${BASE_MODE} is not available in this viewer`);
      // The base factory applies this site's modeConfiguration (immutability-helper commands).
      const base = segmentation.modeFactory
        ? await segmentation.modeFactory.call(segmentation, { modeConfiguration, loadModules })
        : segmentation.modeInstance;
      return extendSegmentationMode(base, options);
    },
  };
}
