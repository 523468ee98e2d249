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
    [{ status: 'down', state: 'odd', reason: 'some_new_code' }, 'SAM2 service unavailable'],
    [{ status: 'down', state: 'downloading', reason: 'model_downloading' }, 'SAM2 model downloading…'],
    [
      { status: 'down', state: 'downloading', reason: 'model_downloading', downloadPercent: 42.9 },
      'SAM2 model downloading (42 %)',
    ],
    [
      { status: 'down', state: 'downloading', reason: 'model_downloading', downloadPercent: 100 },
      'SAM2 model downloading (99 %)',
    ],
    [
      { status: 'down', state: 'unreachable', reason: 'connect ECONNREFUSED 10.0.0.1:5005' },
      'SAM2 service unavailable (cannot reach the service)',
    ],
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

describe('every readiness reason code reads as a sentence, never as the code', () => {
  // The public codes, read independently from the service's OpenAPI document.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const openapi = require('../../sam2-service/openapi.json') as {
    components: { schemas: { ModelReason: { enum: string[] } } };
  };
  const codes = openapi.components.schemas.ModelReason.enum;

  it.each(codes)('%s', (reason) => {
    const state = reason === 'model_downloading' ? 'downloading' : 'unavailable';
    const text = unavailableText({ status: 'down', state, reason });
    expect(text).not.toMatch(/[a-z]+_[a-z]+/); // no snake_case code leaks
    expect(text).not.toBe('SAM2 service unavailable'); // each code has its own sentence
    expect(text.length).toBeGreaterThan(15);
  });

  it('says what to do when the model could not be downloaded: the offline install steps', () => {
    const text = unavailableText({ status: 'down', state: 'unavailable', reason: 'model_download_failed' });
    expect(text).toMatch(/restart the service to resume/);
    expect(text).toMatch(/npm run model:fetch -- --dir <dir>/);
    expect(text).toMatch(/SAM2_MODEL_DIR/);
    expect(text).toMatch(/docs\/models\.md/);
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
  it('checks within 5 s both ways: 2 s then 4 s while down, 3 s while up', () => {
    const delays: number[] = [];
    let down = DEFAULT_TIMING.firstDownDelayMs;
    for (let i = 0; i < 7; i++) {
      const n = nextDelay(false, down);
      delays.push(n.delayMs);
      down = n.nextDownDelayMs;
    }
    expect(delays).toEqual([2000, 4000, 4000, 4000, 4000, 4000, 4000]);
    expect(nextDelay(true, 4000)).toEqual({ delayMs: 3000, nextDownDelayMs: 2000 });
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
      await jest.advanceTimersByTimeAsync(2999);
      expect(check).toHaveBeenCalledTimes(3);
      await jest.advanceTimersByTimeAsync(1);
      expect(check).toHaveBeenCalledTimes(4);
      expect(changes.map((c) => c.status)).toEqual(['down', 'ready']);

      poller.stop();
      await jest.advanceTimersByTimeAsync(120000);
      expect(check).toHaveBeenCalledTimes(4);
    });

    it('reports each new download percentage, then ready', async () => {
      const answers: Readiness[] = [
        { ready: false, state: 'downloading', reason: 'model_downloading', downloadPercent: 10.2 },
        { ready: false, state: 'downloading', reason: 'model_downloading', downloadPercent: 10.7 },
        { ready: false, state: 'downloading', reason: 'model_downloading', downloadPercent: 55 },
        { ready: false, state: 'loading', reason: 'loading' },
        { ready: true, state: 'ready' },
      ];
      const changes: Availability[] = [];
      const poller = new AvailabilityPoller(
        async () => answers.shift() ?? { ready: true, state: 'ready' },
        (a) => changes.push(a),
      );
      poller.start();
      await jest.advanceTimersByTimeAsync(2000 + 4000 * 4);
      expect(changes.map((c) => (c.status === 'ready' ? 'ready' : unavailableText(c)))).toEqual([
        'SAM2 model downloading (10 %)',
        'SAM2 model downloading (55 %)',
        'SAM2 service unavailable (model loading)',
        'ready',
      ]);
      poller.stop();
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
