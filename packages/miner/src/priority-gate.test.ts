import { describe, expect, it } from 'vitest';
import { fromAbortSignal } from './deadline.js';
import { OverloadedError, PriorityGate } from './priority-gate.js';

describe('PriorityGate', () => {
  it('runs up to maxConcurrency at once and hands slots to the highest priority waiter', async () => {
    const gate = new PriorityGate({ maxConcurrency: 1, maxQueue: 3 });
    const order: string[] = [];
    const first = await gate.acquire(1);
    const waiters = [
      gate.acquire(5).then((release) => {
        order.push('p5');
        release();
      }),
      gate.acquire(50).then((release) => {
        order.push('p50');
        release();
      }),
      gate.acquire(5).then((release) => {
        order.push('p5-later');
        release();
      }),
    ];
    expect(gate.stats()).toEqual({ running: 1, waiting: 3, shed: 0 });
    first();
    await Promise.all(waiters);
    expect(order).toEqual(['p50', 'p5', 'p5-later']);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, shed: 0 });
  });

  it('sheds the lowest waiter for a higher incoming request, and the incoming one when it is lowest', async () => {
    const gate = new PriorityGate({ maxConcurrency: 1, maxQueue: 1 });
    const release = await gate.acquire(100);
    const low = gate.acquire(1);
    const high = gate.acquire(10); // evicts low
    await expect(low).rejects.toBeInstanceOf(OverloadedError);
    await expect(gate.acquire(10)).rejects.toBeInstanceOf(OverloadedError); // ties keep the waiter
    await expect(gate.acquire(0)).rejects.toBeInstanceOf(OverloadedError);
    release();
    (await high)();
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, shed: 3 });
  });

  it('removes an aborted waiter and rejects with the abort reason', async () => {
    const gate = new PriorityGate({ maxConcurrency: 1, maxQueue: 2 });
    const release = await gate.acquire(0);
    const controller = new AbortController();
    const waiting = gate.acquire(0, fromAbortSignal(controller.signal));
    controller.abort(new Error('timeout'));
    await expect(waiting).rejects.toThrow('timeout');
    expect(gate.stats().waiting).toBe(0);
    release();
    release(); // a second release is ignored
    expect(gate.stats().running).toBe(0);
  });

  it('refuses bad settings', () => {
    expect(() => new PriorityGate({ maxConcurrency: 0, maxQueue: 1 })).toThrow(/maxConcurrency/);
    expect(() => new PriorityGate({ maxConcurrency: 1, maxQueue: -1 })).toThrow(/maxQueue/);
  });
});
