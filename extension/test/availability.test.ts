import {
  evaluateContext,
  evaluateOneClick,
  SELECTED_CONTEXT_CLASS,
  unavailableText,
} from '../src/availability/evaluate';
import type { Availability } from '../src/availability/poller';
import { AvailabilityPoller, DEFAULT_TIMING, nextDelay } from '../src/availability/poller';
import type { Readiness } from '../src/api/readiness';

const config = { enabled: true, modalities: ['CT'] };
const ready: Availability = { status: 'ready' };
const ctViewport = { hasViewport: true, imageLoaded: true, modality: 'CT', toolAvailable: true };
const base = { config, availability: ready, viewport: ctViewport, busy: false, toolActive: false };

describe('evaluateOneClick: every reason', () => {
  it('is enabled for a loaded CT slice with the service ready', () => {
    expect(evaluateOneClick(base)).toEqual({ visible: true, disabled: false, isActive: false });
    expect(evaluateOneClick({ ...base, toolActive: true }).isActive).toBe(true);
  });

  it('is hidden when window.config.sam2.enabled is false', () => {
    expect(evaluateOneClick({ ...base, config: { ...config, enabled: false } })).toMatchObject({
      visible: false,
    });
  });

  it.each<[Availability, string]>([
    [{ status: 'unknown' }, 'Checking SAM2 service…'],
    [{ status: 'down', state: 'unreachable' }, 'SAM2 service unavailable (cannot reach the service)'],
    [{ status: 'down', state: 'loading' }, 'SAM2 service unavailable (model loading)'],
    [{ status: 'down', state: 'unavailable' }, 'SAM2 service unavailable (no model)'],
    [{ status: 'down', state: 'disabled' }, 'SAM2 service unavailable (disabled on the server)'],
    [{ status: 'down', state: 'odd' }, 'SAM2 service unavailable'],
  ])('is disabled while the service is %j', (availability, text) => {
    expect(evaluateOneClick({ ...base, availability })).toEqual({
      visible: true,
      disabled: true,
      disabledText: text,
      isActive: false,
    });
    expect(unavailableText(availability)).toBe(text);
  });

  it('says "No image loaded" without a viewport or before the pixels arrive', () => {
    expect(
      evaluateOneClick({ ...base, viewport: { hasViewport: false, imageLoaded: false } }).disabledText,
    ).toBe('No image loaded');
    expect(evaluateOneClick({ ...base, viewport: { ...ctViewport, imageLoaded: false } }).disabledText).toBe(
      'No image loaded',
    );
  });

  it('names an unsupported modality', () => {
    expect(evaluateOneClick({ ...base, viewport: { ...ctViewport, modality: 'MR' } }).disabledText).toBe(
      'Modality MR not supported',
    );
    expect(evaluateOneClick({ ...base, viewport: { ...ctViewport, modality: undefined } }).disabledText).toBe(
      'Modality unknown not supported',
    );
    expect(
      evaluateOneClick({
        ...base,
        config: { ...config, modalities: ['CT', 'MR'] },
        viewport: { ...ctViewport, modality: 'mr' },
      }).disabled,
    ).toBe(false);
  });

  it('is disabled in a viewport without the tool (3-D) and while a request runs', () => {
    expect(
      evaluateOneClick({ ...base, viewport: { ...ctViewport, toolAvailable: false } }).disabledText,
    ).toBe('Not available in this viewport');
    expect(evaluateOneClick({ ...base, busy: true }).disabledText).toBe('SAM2 is processing…');
  });

  it('checks the service before the image (the first reason wins)', () => {
    expect(
      evaluateOneClick({
        ...base,
        availability: { status: 'down' },
        viewport: { hasViewport: false, imageLoaded: false },
      }).disabledText,
    ).toBe('SAM2 service unavailable');
  });
});

describe('evaluateContext', () => {
  it('marks the selected context with the quiet toggled look', () => {
    expect(evaluateContext({ config, selected: true })).toEqual({
      visible: true,
      disabled: false,
      isActive: true,
      className: SELECTED_CONTEXT_CLASS,
    });
    expect(evaluateContext({ config, selected: false }).isActive).toBe(false);
    expect(evaluateContext({ config: { enabled: false }, selected: true }).visible).toBe(false);
  });
});

describe('readiness polling', () => {
  it('backs off 2 s doubling to 30 s while down and waits 60 s while up', () => {
    const delays: number[] = [];
    let down = DEFAULT_TIMING.firstDownDelayMs;
    for (let i = 0; i < 7; i++) {
      const n = nextDelay(false, down);
      delays.push(n.delayMs);
      down = n.nextDownDelayMs;
    }
    expect(delays).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(nextDelay(true, 16000)).toEqual({ delayMs: 60000, nextDownDelayMs: 2000 });
  });

  describe('AvailabilityPoller', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('checks at once, follows the schedule, reports changes only, and stops', async () => {
      const answers: Readiness[] = [
        { ready: false, state: 'loading' },
        { ready: false, state: 'loading' },
        { ready: true, state: 'ready' },
        { ready: true, state: 'ready' },
      ];
      const check = jest.fn(async () => answers.shift() ?? { ready: true, state: 'ready' });
      const changes: Availability[] = [];
      const poller = new AvailabilityPoller(check, (a) => changes.push(a));
      poller.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(check).toHaveBeenCalledTimes(1);
      expect(poller.availability).toEqual({ status: 'down', state: 'loading', reason: undefined });

      await jest.advanceTimersByTimeAsync(1999);
      expect(check).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(check).toHaveBeenCalledTimes(2); // after 2 s
      await jest.advanceTimersByTimeAsync(4000);
      expect(check).toHaveBeenCalledTimes(3); // after 4 more s: ready now
      expect(poller.availability.status).toBe('ready');
      await jest.advanceTimersByTimeAsync(59999);
      expect(check).toHaveBeenCalledTimes(3);
      await jest.advanceTimersByTimeAsync(1);
      expect(check).toHaveBeenCalledTimes(4);
      expect(changes.map((c) => c.status)).toEqual(['down', 'ready']);

      poller.stop();
      await jest.advanceTimersByTimeAsync(120000);
      expect(check).toHaveBeenCalledTimes(4);
    });

    it('checkNow checks immediately and treats a throwing check as unreachable', async () => {
      const check = jest.fn(async (): Promise<Readiness> => {
        throw new Error('boom');
      });
      const poller = new AvailabilityPoller(check, () => undefined);
      await poller.checkNow();
      expect(poller.availability).toEqual({ status: 'down', state: 'unreachable', reason: 'boom' });
    });
  });
});
