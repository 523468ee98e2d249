import {
  BONE_WINDOW,
  CONTEXTS,
  getContext,
  getContextByButtonId,
  SOFT_TISSUE_WINDOW,
  windowForRequest,
} from '../src/contexts';
import { resolveConfig } from '../src/config';
import { BUTTON_IDS, COMMANDS, TOOL_NAME } from '../src/id';
import { BUTTON_SECTIONS, getToolbarButtons, PRIMARY_BUTTON_IDS } from '../src/toolbarButtons';

describe('contexts → label, colour, window', () => {
  it('L3 vertebra: bone-coloured, bone window C400/W1800', () => {
    const c = getContext('l3-vertebra');
    expect(c.segmentLabel).toBe('L3 vertebra');
    expect(c.buttonId).toBe('sam2-context-l3-vertebra');
    expect(c.window).toEqual({ center: 400, width: 1800 });
    expect(c.window).toEqual(BONE_WINDOW);
    const [r, g, b] = c.color;
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(180);
    expect(b).toBeLessThan(r);
  });

  it('Skeletal muscle (L3): red, soft-tissue window C40/W400', () => {
    const c = getContext('skeletal-muscle');
    expect(c.segmentLabel).toBe('Skeletal muscle (L3)');
    expect(c.buttonId).toBe('sam2-context-skeletal-muscle');
    expect(c.window).toEqual(SOFT_TISSUE_WINDOW);
    expect(c.color[0]).toBeGreaterThan(200);
    expect(c.color[1]).toBeLessThan(80);
    expect(c.color[2]).toBeLessThan(80);
  });

  it('Structure: "SAM2 structure", and the window the user sees', () => {
    const c = getContext('structure');
    expect(c.segmentLabel).toBe('SAM2 structure');
    expect(c.window).toBeUndefined();
    expect(windowForRequest(c, { center: -600, width: 1500 })).toEqual({ center: -600, width: 1500 });
    expect(windowForRequest(getContext('l3-vertebra'), { center: -600, width: 1500 })).toEqual(BONE_WINDOW);
  });

  it('falls back to Structure for unknown ids and finds contexts by button id', () => {
    expect(getContext('nope').id).toBe('structure');
    expect(getContext(undefined).id).toBe('structure');
    expect(getContextByButtonId('sam2-context-skeletal-muscle')?.id).toBe('skeletal-muscle');
    expect(getContextByButtonId('Brush')).toBeUndefined();
  });

  it('has unique ids, buttons and colours', () => {
    expect(new Set(CONTEXTS.map((c) => c.id)).size).toBe(CONTEXTS.length);
    expect(new Set(CONTEXTS.map((c) => c.buttonId)).size).toBe(CONTEXTS.length);
    expect(new Set(CONTEXTS.map((c) => c.color.join())).size).toBe(CONTEXTS.length);
  });
});

describe('toolbar definitions', () => {
  const buttons = getToolbarButtons();

  it('uses sam2-prefixed ids, distinct from OHIF’s own One Click Segment', () => {
    expect(buttons.map((b) => b.id)).toEqual([
      'sam2-one-click-segmentation',
      'sam2-context',
      'sam2-context-l3-vertebra',
      'sam2-context-skeletal-muscle',
      'sam2-context-vat',
      'sam2-context-sat',
      'sam2-context-structure',
    ]);
    for (const b of buttons) expect(b.id.startsWith('sam2-')).toBe(true);
    expect(buttons.map((b) => b.id)).not.toContain('ClickSegment');
    expect(Object.values(COMMANDS).every((c) => c.startsWith('sam2'))).toBe(true);
    expect(TOOL_NAME).toBe('Sam2PromptTool');
  });

  it('wires the One-Click button and the context split button', () => {
    const oneClick = buttons.find((b) => b.id === BUTTON_IDS.oneClick);
    expect(oneClick?.uiType).toBe('ohif.toolButton');
    expect(oneClick?.props.commands).toEqual([{ commandName: 'sam2OneClickSegmentation' }]);
    expect(oneClick?.props.label).toBe('SAM2 One-Click Segmentation');
    expect(buttons.find((b) => b.id === BUTTON_IDS.contextMenu)?.uiType).toBe('ohif.toolButtonList');
    expect(BUTTON_SECTIONS[BUTTON_IDS.contextMenu]).toEqual(CONTEXTS.map((c) => c.buttonId));
    expect(PRIMARY_BUTTON_IDS).toEqual(['sam2-context', 'sam2-one-click-segmentation']);
    const vertebra = buttons.find((b) => b.id === 'sam2-context-l3-vertebra');
    expect(vertebra?.props.commands).toEqual([
      { commandName: 'sam2SetContext', commandOptions: { contextId: 'l3-vertebra' } },
    ]);
  });
});

describe('resolveConfig (window.config.sam2)', () => {
  it('uses defaults for a missing config', () => {
    expect(resolveConfig(undefined)).toEqual({
      enabled: true,
      apiBase: '/api/segmentation',
      segmentUrl: '/api/segmentation/sam2',
      encodeUrl: '/api/segmentation/sam2/encode',
      readyUrl: '/api/segmentation/readyz',
      infoUrl: '/api/segmentation/info',
      modalities: ['CT'],
      timeoutMs: 30000,
      apiToken: undefined,
      defaultContext: 'structure',
      huRanges: {
        'skeletal-muscle': { min: -29, max: 150 },
        vat: { min: -150, max: -50 },
        sat: { min: -190, max: -30 },
      },
      speculativeEncoding: true,
      speculationDwellMs: 300,
    });
  });

  it('derives the endpoints from apiBase and validates values', () => {
    const c = resolveConfig({
      enabled: false,
      apiBase: 'https://sam2.example.org/api/',
      modalities: ['ct', 'mr'],
      timeoutMs: -5,
      apiToken: 't',
    });
    expect(c.enabled).toBe(false);
    expect(c.segmentUrl).toBe('https://sam2.example.org/api/sam2');
    expect(c.readyUrl).toBe('https://sam2.example.org/api/readyz');
    expect(c.modalities).toEqual(['CT', 'MR']);
    expect(c.timeoutMs).toBe(30000);
    expect(c.apiToken).toBe('t');
    expect(resolveConfig({ readyUrl: '/ready', segmentUrl: '/seg' })).toMatchObject({
      readyUrl: '/ready',
      segmentUrl: '/seg',
      encodeUrl: '/seg/encode',
    });
  });

  it('speculative encoding: on unless explicitly false; a bad dwell falls back to 300 ms', () => {
    expect(resolveConfig({ speculativeEncoding: 'no' }).speculativeEncoding).toBe(true);
    expect(resolveConfig({ speculativeEncoding: false }).speculativeEncoding).toBe(false);
    expect(resolveConfig({ speculationDwellMs: 0 }).speculationDwellMs).toBe(300);
    expect(resolveConfig({ speculationDwellMs: 800 }).speculationDwellMs).toBe(800);
  });
});
