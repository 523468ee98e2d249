/**
 * The mode object against fakes of OHIF's loader, toolbar and tool group services: it must extend the
 * bundled segmentation mode, not replace it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BASE_MODE, DISPLAY_NAME, EXTENSION_ID, MODE_ID, ROUTE_NAME, UTILITY_MODULE_ID } from '../src/ids';
import type { ModeContext, ModeInstance, Sam2Utility } from '../src/mode';
import { addSam2ToMode, createSam2Mode } from '../src/mode';

const EXT_URL = '/sam2/ohif-sam2-extension.js';

function fakeSegmentationMode(log: string[]) {
  const modeInstance: ModeInstance = {
    id: '@ohif/mode-segmentation',
    routeName: 'segmentation',
    displayName: 'Segmentation',
    extensions: { '@ohif/extension-default': '^3.0.0', '@ohif/extension-cornerstone': '^3.0.0' },
    hangingProtocol: ['@ohif/mnGrid'],
    routes: [
      {
        path: 'template',
        layoutInstance: {
          id: 'layout',
          props: {
            rightPanels: ['@ohif/extension-cornerstone.panelModule.panelSegmentationWithToolsLabelMap'],
          },
        },
      },
    ],
    onModeEnter(this: ModeInstance) {
      log.push(`base enter (this.id=${this.id})`);
      this._unsubscriptions = [];
    },
    onModeExit() {
      log.push('base exit');
    },
  };
  return {
    id: '@ohif/mode-segmentation',
    modeInstance,
    modeFactory(
      this: { modeInstance: ModeInstance },
      { modeConfiguration }: { modeConfiguration?: unknown },
    ) {
      log.push(`base factory ${JSON.stringify(modeConfiguration ?? null)}`);
      return this.modeInstance;
    },
  };
}

function fakeContext(log: string[], utility?: Partial<Sam2Utility>) {
  const sections: Record<string, string[]> = { primary: ['WindowLevel', 'Pan', 'MoreTools'] };
  const registered: string[] = [];
  const ctx: ModeContext = {
    servicesManager: {
      services: {
        toolbarService: {
          sections: { primary: 'primary' },
          state: { buttonSections: sections },
          register: (buttons) => registered.push(...(buttons as Array<{ id: string }>).map((b) => b.id)),
          updateSection: (section, ids) => {
            const existing = sections[section] ?? [];
            sections[section] = [...existing, ...ids.filter((id) => !existing.includes(id))];
            log.push(`section ${section}`);
          },
        },
        toolGroupService: {
          getToolGroupIds: () => ['default', 'mpr', 'volume3d'],
          getToolGroup: () => ({ hasTool: () => false }),
          addToolsToToolGroup: () => undefined,
        },
      },
    },
    extensionManager: {
      getModuleEntry: (id) =>
        id === UTILITY_MODULE_ID && utility
          ? {
              exports: {
                getToolbarButtons: () => [{ id: 'sam2-one-click-segmentation' }, { id: 'sam2-context' }],
                primaryButtonIds: ['sam2-context', 'sam2-one-click-segmentation'],
                buttonSections: { 'sam2-context': ['sam2-context-l3-vertebra'] },
                addPromptToolToToolGroups: () => {
                  log.push('tool added');
                  return ['default', 'mpr'];
                },
                enterMode: () => log.push('sam2 enterMode'),
                ...utility,
              },
            }
          : undefined,
    },
  };
  return { ctx, sections, registered };
}

describe('SAM2 Segmentation mode', () => {
  it('loads the bundled segmentation mode and extends its instance', async () => {
    const log: string[] = [];
    const loadModules = jest.fn(async (names: string[]) => names.map(() => fakeSegmentationMode(log)));
    const mode = createSam2Mode({ extensionKey: EXT_URL });
    expect(mode.id).toBe('@ohif-sam2/mode-sam2-segmentation');
    const instance = await mode.modeFactory({ modeConfiguration: { x: 1 }, loadModules });
    expect(loadModules).toHaveBeenCalledWith([BASE_MODE]);
    expect(log).toEqual(['base factory {"x":1}']);
    expect(instance.id).toBe(MODE_ID);
    expect(instance.routeName).toBe('sam2-segmentation');
    expect(instance.displayName).toBe('SAM2 Segmentation');
    expect(ROUTE_NAME).toBe('sam2-segmentation');
    expect(DISPLAY_NAME).toBe('SAM2 Segmentation');
    // The extension is keyed by the URL it is served at (OHIF passes these keys to its loader).
    expect(instance.extensions).toEqual({
      '@ohif/extension-default': '^3.0.0',
      '@ohif/extension-cornerstone': '^3.0.0',
      [EXT_URL]: '^0.1.0',
    });
    expect(instance.hangingProtocol).toEqual(['@ohif/mnGrid']);
  });

  it('adds the body-composition panel after the segmentation panel, without changing the base mode', async () => {
    const base = fakeSegmentationMode([]);
    const instance = await createSam2Mode({ extensionKey: EXT_URL }).modeFactory({
      loadModules: async () => [base],
    });
    const routes = instance.routes as Array<{ layoutInstance: { props: { rightPanels: string[] } } }>;
    expect(routes[0].layoutInstance.props.rightPanels).toEqual([
      '@ohif/extension-cornerstone.panelModule.panelSegmentationWithToolsLabelMap',
      '@ohif-sam2/extension-sam2.panelModule.sam2BodyComposition',
    ]);
    const baseRoutes = base.modeInstance.routes as typeof routes;
    expect(baseRoutes[0].layoutInstance.props.rightPanels).toHaveLength(1);
    const extensionIds = fs.readFileSync(path.join(__dirname, '../../extension/src/id.ts'), 'utf8');
    expect(extensionIds).toContain("PANEL_NAME = 'sam2BodyComposition'");
  });

  it('enters like the segmentation mode, then adds the SAM2 tool and buttons to the primary toolbar', async () => {
    const log: string[] = [];
    const instance = await createSam2Mode({ extensionKey: EXT_URL }).modeFactory({
      loadModules: async () => [fakeSegmentationMode(log)],
    });
    const { ctx, sections, registered } = fakeContext(log, {});
    instance.onModeEnter!.call(instance, ctx);
    expect(log).toEqual([
      'base factory null',
      `base enter (this.id=${MODE_ID})`,
      'tool added',
      'section sam2-context',
      'section primary',
      'sam2 enterMode',
    ]);
    expect(registered).toEqual(['sam2-one-click-segmentation', 'sam2-context']);
    expect(sections.primary).toEqual([
      'WindowLevel',
      'Pan',
      'MoreTools',
      'sam2-context',
      'sam2-one-click-segmentation',
    ]);
    expect(sections['sam2-context']).toEqual(['sam2-context-l3-vertebra']);
    expect(instance._unsubscriptions).toEqual([]);
    // exit stays the base mode's
    instance.onModeExit!.call(instance, ctx);
    expect(log[log.length - 1]).toBe('base exit');
  });

  it('keeps the viewer working when the extension is missing', () => {
    const log: string[] = [];
    const { ctx, sections } = fakeContext(log, undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(addSam2ToMode(ctx)).toBe(false);
    expect(sections.primary).toEqual(['WindowLevel', 'Pan', 'MoreTools']);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it('fails clearly when the viewer has no segmentation mode', async () => {
    await expect(
      createSam2Mode({ extensionKey: EXT_URL }).modeFactory({ loadModules: async () => [undefined] }),
    ).rejects.toThrow(/@ohif\/mode-segmentation/);
  });

  it('uses the same ids as the extension', () => {
    const extensionIds = fs.readFileSync(path.join(__dirname, '../../extension/src/id.ts'), 'utf8');
    expect(extensionIds).toContain(`EXTENSION_ID = '${EXTENSION_ID}'`);
    expect(UTILITY_MODULE_ID).toBe(`${EXTENSION_ID}.utilityModule.sam2`);
    expect(extensionIds).toContain("UTILITY_MODULE_NAME = 'sam2'");
  });
});
