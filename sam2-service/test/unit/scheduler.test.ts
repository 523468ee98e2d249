import { admit } from '../../src/scheduler/admission';
import { JobQueue, type QueuedWork } from '../../src/scheduler/jobQueue';
import type { Priority } from '../../src/scheduler/priority';
import { TaskCosts } from '../../src/scheduler/taskCosts';

let seq = 0;
const job = (priority: Priority, estimateMs: number): QueuedWork => ({ priority, seq: seq++, estimateMs });

describe('JobQueue', () => {
  it('takes decodes, then interactive encodes, then speculative encodes, each first come first served', () => {
    const queue = new JobQueue<QueuedWork>();
    const s1 = job('speculative', 2000);
    const e1 = job('encode', 2000);
    const d1 = job('decode', 60);
    const e2 = job('encode', 2000);
    const d2 = job('decode', 60);
    [s1, e1, d1, e2, d2].forEach((j) => queue.push(j));
    expect([1, 2, 3, 4, 5].map(() => queue.takeNext())).toEqual([d1, d2, e1, e2, s1]);
  });

  it('counts the work ahead of a class: its own class and above', () => {
    const queue = new JobQueue<QueuedWork>();
    [job('speculative', 2000), job('encode', 2000), job('decode', 60)].forEach((j) => queue.push(j));
    expect(queue.workAheadMs('decode')).toBe(60);
    expect(queue.workAheadMs('encode')).toBe(2060);
    expect(queue.workAheadMs('speculative')).toBe(4060);
  });

  it('offers the newest job of the lowest class below the newcomer for dropping', () => {
    const queue = new JobQueue<QueuedWork>();
    const old = job('speculative', 2000);
    const newest = job('speculative', 2000);
    [old, job('encode', 2000), newest].forEach((j) => queue.push(j));
    expect(queue.displaceable('encode')).toBe(newest);
    expect(queue.displaceable('speculative')).toBeUndefined();
  });
});

describe('admit', () => {
  const base = { ownMs: 2060, budgetMs: 30_000, runningMs: 0, workers: 1, idle: false, maxQueue: 32 };

  it('admits anything when a worker is idle and nothing waits, even work longer than the limit', () => {
    const queue = new JobQueue<QueuedWork>();
    expect(admit({ ...base, queue, priority: 'encode', idle: true, ownMs: 60_000 })).toEqual({
      admit: true,
      waitMs: 0,
    });
  });

  it('refuses an encode whose wait + own work + safety margin passes the limit, with the seconds until it would fit', () => {
    const queue = new JobQueue<QueuedWork>();
    // Queued encodes of 2000 ms, each with its 60 ms decode to follow: 2060 ms of work ahead each.
    const encode = () => ({ ...job('encode', 2000), followUpMs: 60 });
    for (let i = 0; i < 12; i++) queue.push(encode());
    const input = { ...base, queue, priority: 'encode' as const, runningMs: 1000, safetyMs: 1280 };
    // wait = 1000 + 12 × 2060 = 25720; + 2060 own + 1280 safety = 29060 ≤ 30000: admitted
    expect(admit(input)).toEqual({ admit: true, waitMs: 25_720 });
    queue.push(encode());
    // wait = 27780; + 2060 + 1280 = 31120 > 30000 by 1120 ms: retry after ⌈1.12⌉ = 2 s
    expect(admit(input)).toEqual({ admit: false, retryAfterS: 2, reason: 'too_slow' });
    // Without the margin the same request fits (27780 + 2060 = 29840 ≤ 30000).
    expect(admit({ ...input, safetyMs: 0 })).toMatchObject({ admit: true });
    // A decode waits only for the running task and the decodes: admitted at once.
    expect(admit({ ...input, priority: 'decode', ownMs: 60 })).toEqual({ admit: true, waitMs: 1000 });
  });

  it('counts only the work that runs before the job: earlier arrivals of its class, not later ones', () => {
    const queue = new JobQueue<QueuedWork>();
    const early = { priority: 'encode' as const, seq: 10, estimateMs: 2000, followUpMs: 60 };
    const late = { priority: 'encode' as const, seq: 30, estimateMs: 2000, followUpMs: 60 };
    queue.push(early);
    queue.push(late);
    // A task that arrived as seq 20 (its reservation) runs after seq 10, before seq 30.
    expect(queue.workAheadMs('encode', 20)).toBe(2060);
    expect(queue.workAheadMs('encode')).toBe(4120);
    expect(admit({ ...base, queue, priority: 'encode', seq: 20 })).toEqual({ admit: true, waitMs: 2060 });
  });

  it('drops a speculative encode for an interactive one when the queue is full, never the reverse', () => {
    const queue = new JobQueue<QueuedWork>();
    const spec = [job('speculative', 100), job('speculative', 100)];
    spec.forEach((j) => queue.push(j));
    const full = { ...base, ownMs: 100, maxQueue: 2 };
    expect(admit({ ...full, queue, priority: 'encode' })).toEqual({
      admit: true,
      waitMs: 0,
      displace: spec[1],
    });
    expect(admit({ ...full, queue, priority: 'speculative' })).toMatchObject({
      admit: false,
      reason: 'queue_full',
    });
  });

  it('divides the work ahead among the workers', () => {
    const queue = new JobQueue<QueuedWork>();
    for (let i = 0; i < 20; i++) queue.push(job('encode', 2000));
    // 40000 ms ahead: alone past the limit; on 2 workers 20000 + 2060 + 1000 = 23060 ≤ 30000.
    expect(admit({ ...base, queue, priority: 'encode', workers: 1, safetyMs: 1000 })).toMatchObject({
      admit: false,
    });
    expect(admit({ ...base, queue, priority: 'encode', workers: 2, safetyMs: 1000 })).toMatchObject({
      admit: true,
      waitMs: 20_000,
    });
  });
});

describe('TaskCosts', () => {
  it('averages encode times and their mean deviation (weight 0.3), and keeps 4 deviations as margin', () => {
    const costs = new TaskCosts();
    costs.seed(2000, 60);
    // Before any task: deviation 10 % of the warm-up encode = 200; margin 4 × 200 = 800.
    expect(costs.safetyMs()).toBe(800);
    costs.observeEncode(2600);
    // deviation = 0.7 × 200 + 0.3 × |2600 − 2000| = 320; mean = 0.7 × 2000 + 0.3 × 2600 = 2180
    expect(costs.encodeDeviationMs).toBeCloseTo(320, 9);
    expect(costs.encodeMs).toBeCloseTo(2180, 9);
    expect(costs.safetyMs()).toBeCloseTo(1280, 9);
    costs.observeDecode(600, 8); // 75 ms a decoder run: 0.7 × 60 + 0.3 × 75 = 64.5
    expect(costs.decoderRunMs).toBeCloseTo(64.5, 9);
  });

  it('keeps at least one decoder run as margin when encodes do not vary', () => {
    const costs = new TaskCosts({ encodeMs: 1000, decoderRunMs: 90 });
    for (let i = 0; i < 60; i++) costs.observeEncode(1000);
    expect(costs.safetyMs()).toBe(90);
  });
});
