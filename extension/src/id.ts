/**
 * Every name this extension puts into the viewer. All are prefixed "sam2" so they never collide with
 * OHIF's own (non-AI) "One Click Segment", "Marker Guided Labelmap" or "Labelmap Assist" tools.
 */
export const EXTENSION_ID = '@ohif-sam2/extension-sam2';

/** The utility module the mode reads toolbar definitions and set-up helpers from. */
export const UTILITY_MODULE_NAME = 'sam2';
export const UTILITY_MODULE_ID = `${EXTENSION_ID}.utilityModule.${UTILITY_MODULE_NAME}`;

export const TOOL_NAME = 'Sam2PromptTool';

/** The body-composition panel; the mode lists it by PANEL_ID among its right-hand panels. */
export const PANEL_NAME = 'sam2BodyComposition';
export const PANEL_ID = `${EXTENSION_ID}.panelModule.${PANEL_NAME}`;

export const BUTTON_IDS = {
  oneClick: 'sam2-one-click-segmentation',
  contextMenu: 'sam2-context',
  contextL3Vertebra: 'sam2-context-l3-vertebra',
  contextSkeletalMuscle: 'sam2-context-skeletal-muscle',
  contextVat: 'sam2-context-vat',
  contextSat: 'sam2-context-sat',
  contextStructure: 'sam2-context-structure',
} as const;

export const COMMANDS = {
  oneClick: 'sam2OneClickSegmentation',
  activatePromptTool: 'sam2ActivatePromptTool',
  setContext: 'sam2SetContext',
  cancel: 'sam2Cancel',
  startOver: 'sam2StartOver',
  checkAvailability: 'sam2CheckAvailability',
} as const;

export const EVALUATORS = {
  oneClick: 'evaluate.sam2.oneClick',
  context: 'evaluate.sam2.context',
} as const;

/** data-cy values of the DOM this extension draws itself (overlay, dialog buttons). */
export const DOM_IDS = {
  overlay: 'sam2-overlay',
  overlayCancel: 'sam2-overlay-cancel',
  confirmReplace: 'sam2-confirm-replace',
  confirmAdd: 'sam2-confirm-add',
  confirmCancel: 'sam2-confirm-cancel',
  boxPreview: 'sam2-box-preview',
  bodyCompositionPanel: 'sam2-body-composition',
  bodyCompositionSlice: 'sam2-body-composition-slice',
  bodyCompositionRow: 'sam2-body-composition-row',
  bodyCompositionHeight: 'sam2-body-composition-height',
  bodyCompositionHeightSource: 'sam2-body-composition-height-source',
  bodyCompositionCsv: 'sam2-body-composition-csv',
  bodyCompositionStoreSr: 'sam2-body-composition-store-sr',
  bodyCompositionStatus: 'sam2-body-composition-status',
} as const;
