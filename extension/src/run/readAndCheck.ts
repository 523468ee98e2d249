/**
 * Step 1, read and check: is SAM2 on, is an image of a supported modality shown, is the service up;
 * then the shown slice (pixels, display, identity). Every refusal says why, once, as an info message.
 */
import type { Availability } from '../availability/poller';
import { readViewportFacts } from '../availability/viewportFacts';
import type { ViewportLike } from '../host/types';
import { NoImageError, readSlice } from '../imaging/slice';
import type { SliceInfo } from '../imaging/slice';
import { showInfo } from '../ui/notifications';
import type { RunEnv, StepResult } from './types';
import { next, stop } from './types';

export interface ShownSlice {
  viewport: ViewportLike;
  slice: SliceInfo;
}

export interface AvailabilityCheck {
  current(): Availability;
  /** Asks the service again (the poller may not have seen it come back yet). */
  checkNow(): Promise<void>;
}

/** The checks that need no service: enabled, an image shown, a supported modality. */
export function checkViewport(env: RunEnv, viewportId: string): StepResult<ViewportLike> {
  const { services, libs, config } = env;
  if (!config.enabled) return stop({ status: 'skipped', error: 'disabled' });
  const facts = readViewportFacts(services, libs, viewportId);
  const viewport = services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
  if (!viewport || !facts.imageLoaded) {
    showInfo(services, 'SAM2', 'No image loaded');
    return stop({ status: 'skipped', error: 'no image' });
  }
  const modality = facts.modality?.toUpperCase();
  if (!modality || !config.modalities.includes(modality)) {
    showInfo(services, 'SAM2', `Modality ${modality ?? 'unknown'} not supported`);
    return stop({ status: 'skipped', error: 'modality' });
  }
  return next(viewport);
}

/** The shown slice of `viewport`, or why it cannot be read. */
export function readShownSlice(env: RunEnv, viewport: ViewportLike): StepResult<SliceInfo> {
  const { services, libs } = env;
  try {
    const uid = services.viewportGridService.getDisplaySetsUIDsForViewport(viewport.id)?.[0];
    return next(
      readSlice(libs, viewport, uid ? services.displaySetService.getDisplaySetByUID(uid) : undefined),
    );
  } catch (e) {
    const message = e instanceof NoImageError ? e.message : `Cannot read this slice: ${(e as Error).message}`;
    showInfo(services, 'SAM2', message);
    return stop({ status: 'skipped', error: (e as Error).message });
  }
}

export async function readAndCheck(
  env: RunEnv,
  viewportId: string,
  availability: AvailabilityCheck,
): Promise<StepResult<ShownSlice>> {
  const checked = checkViewport(env, viewportId);
  if (!checked.ok) return checked;
  if (availability.current().status === 'down') {
    await availability.checkNow();
    if (availability.current().status === 'down') {
      showInfo(env.services, 'SAM2 service unavailable', 'The button re-enables when the service is ready.');
      return stop({ status: 'skipped', error: 'unavailable' });
    }
  }
  const slice = readShownSlice(env, checked.value);
  if (!slice.ok) return slice;
  return next({ viewport: checked.value, slice: slice.value });
}
