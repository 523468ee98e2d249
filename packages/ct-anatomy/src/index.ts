/**
 * Anatomy rules found from an axial CT slice's own pixels, with no viewer dependency: the vertebra box
 * (L3 vertebra One-Click), the muscle groups (Skeletal muscle One-Click), the tissue HU ranges, and
 * the mapping of a slice in its own geometry onto the rules' convention. Used by the OHIF extension
 * and by the evaluation (`npm run eval`), so both aim the same.
 */
export * from './axialSlice';
export * from './body';
export * from './components';
export * from './huRange';
export * from './morphology';
export * from './muscles';
export * from './restrict';
export * from './union';
export * from './vertebra';
