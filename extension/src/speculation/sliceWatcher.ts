/**
 * Tells when a viewport shows another slice or another display of it. Cornerstone fires its
 * STACK_NEW_IMAGE / VOLUME_NEW_IMAGE / VOI_MODIFIED events on each viewport's element without bubbling;
 * a capturing listener on the document sees them for every viewport, present and future, without
 * following viewports as OHIF creates and destroys them.
 */
import type { CornerstoneLibraries } from '../host/types';

/** Listens; returns the function that stops listening. */
export function watchShownSlices(
  doc: Document,
  libs: CornerstoneLibraries,
  onChange: (viewportId: string | undefined) => void,
): () => void {
  const events = libs.cornerstone.Enums.Events;
  const names = [events.STACK_NEW_IMAGE, events.VOLUME_NEW_IMAGE, events.VOI_MODIFIED].filter(
    (n): n is string => !!n,
  );
  const handler = (e: Event) => onChange((e as CustomEvent<{ viewportId?: string }>).detail?.viewportId);
  for (const name of names) doc.addEventListener(name, handler, { capture: true });
  return () => {
    for (const name of names) doc.removeEventListener(name, handler, { capture: true });
  };
}
