/**
 * A React element for a plain <div>, built without importing React. The host's React is not exposed
 * to runtime-loaded modules and a second copy would break its hooks (docs: ohif-3.13-integration), so
 * the panel component returns this element and draws its content with the DOM through a callback
 * ref, like the overlay and dialogs of this extension. OHIF 3.13 ships React 18, whose elements are
 * tagged Symbol.for('react.element').
 */
const REACT_ELEMENT_TYPE = Symbol.for('react.element');

export interface HostElement {
  $$typeof: symbol;
  type: 'div';
  key: null;
  ref: (element: HTMLDivElement | null) => void;
  props: Record<string, unknown>;
  _owner: null;
  _store: Record<string, unknown>;
}

/** `<div {...props} ref={ref} />`; keep `ref` stable across renders so React does not remount it. */
export function hostDiv(
  ref: (element: HTMLDivElement | null) => void,
  props: Record<string, unknown> = {},
): HostElement {
  return { $$typeof: REACT_ELEMENT_TYPE, type: 'div', key: null, ref, props, _owner: null, _store: {} };
}
