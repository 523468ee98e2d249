/** Names the mode shares with the extension (kept in sync by mode/test/ids.test.ts). */
export const MODE_ID = '@ohif-sam2/mode-sam2-segmentation';
export const ROUTE_NAME = 'sam2-segmentation';
export const DISPLAY_NAME = 'SAM2 Segmentation';
export const BASE_MODE = '@ohif/mode-segmentation';
export const EXTENSION_ID = '@ohif-sam2/extension-sam2';
export const UTILITY_MODULE_ID = `${EXTENSION_ID}.utilityModule.sam2`;
/** File name of the extension bundle, served next to the mode bundle. */
export const EXTENSION_BUNDLE = 'ohif-sam2-extension.js';
/** The extension's body-composition panel, added to the mode's right-hand panels. */
export const PANEL_ID = `${EXTENSION_ID}.panelModule.sam2BodyComposition`;
