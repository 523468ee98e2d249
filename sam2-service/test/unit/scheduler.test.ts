import { admit } from '../../src/scheduler/admission';
import { JobQueue, type QueuedWork } from '../../src/scheduler/jobQueue';
import type { Priority } from '../../src/scheduler/priority';

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

  it('refuses an encode whose wait plus own work passes 85 % of the limit, with the seconds until it would fit', () => {
    const queue = new JobQueue<QueuedWork>();
    for (let i = 0; i < 11; i++) queue.push(job('encode', 2000));
    // wait = 1000 (running) + 22000 (queued) = 23000; + 2060 own = 25060 ≤ 25500: admitted
    expect(admit({ ...base, queue, priority: 'encode', runningMs: 1000 })).toMatchObject({ admit: true });
    queue.push(job('encode', 2000));
    // wait 25000 + 2060 = 27060 > 25500 by 1560 ms: retry after 2 s
    expect(admit({ ...base, queue, priority: 'encode', runningMs: 1000 })).toEqual({
      admit: false,
      retryAfterS: 2,
      reason: 'too_slow',
    });
    // A decode waits only for the running task and the decodes: admitted at once.
    expect(admit({ ...base, queue, priority: 'decode', ownMs: 60, runningMs: 1000 })).toMatchObject({
      admit: true,
    });
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
    expect(admit({ ...base, queue, priority: 'encode', workers: 1 })).toMatchObject({ admit: false });
    expect(admit({ ...base, queue, priority: 'encode', workers: 2 })).toMatchObject({
      admit: true,
      waitMs: 20_000,
    });
  });
});
