import { describe, expect, it } from 'vitest';
import { BatchResultMismatchError, BatcherClosedError, QueueFullError } from './errors.js';
import { type BatchEvent, MicroBatcher } from './micro-batcher.js';

/** A promise the test resolves by hand, to hold a batch "running". */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits until `check` is true, yielding to timers/IO in between (no wall-clock assertions). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  if (!check()) throw new Error('condition never became true');
}

describe('MicroBatcher', () => {
  it('gathers concurrent requests into one batch and flushes as soon as it is full', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 4,
      maxWaitMs: 60_000, // a full batch must not wait for this
      maxQueue: 100,
      run: async (xs) => {
        calls.push(xs);
        return xs.map((x) => x * 10);
      },
    });
    const results = await Promise.all([1, 2, 3, 4].map((x) => batcher.submit(x)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
    await batcher.close();
  });

  it('runs a partial batch once maxWaitMs has passed', async () => {
    const calls: string[][] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 64,
      maxWaitMs: 5,
      maxQueue: 100,
      run: async (xs) => {
        calls.push(xs);
        return xs.map((x) => x.toUpperCase());
      },
    });
    await expect(Promise.all([batcher.submit('a'), batcher.submit('b')])).resolves.toEqual(['A', 'B']);
    expect(calls).toEqual([['a', 'b']]);
    await batcher.close();
  });

  it('splits large bursts into batches of at most maxBatchSize', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 8,
      maxWaitMs: 1,
      maxQueue: 1000,
      run: async (xs) => {
        sizes.push(xs.length);
        return xs.map((x) => x + 1);
      },
    });
    const inputs = Array.from({ length: 100 }, (_, i) => i);
    const out = await Promise.all(inputs.map((x) => batcher.submit(x)));
    expect(out).toEqual(inputs.map((x) => x + 1));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100);
    expect(sizes.length).toBeGreaterThanOrEqual(13);
    await batcher.close();
  });

  it('runs one batch at a time by default, and `concurrency` at a time when set', async () => {
    for (const concurrency of [1, 2]) {
      const gates = [deferred(), deferred()];
      let started = 0;
      const batcher = new MicroBatcher<number, number>({
        maxBatchSize: 1,
        maxWaitMs: 0,
        maxQueue: 10,
        concurrency,
        run: async (xs) => {
          const gate = gates[started++]!;
          await gate.promise;
          return xs;
        },
      });
      const a = batcher.submit(1);
      const b = batcher.submit(2);
      await until(() => started >= 1);
      await new Promise((r) => setTimeout(r, 5));
      expect(started).toBe(concurrency);
      expect(batcher.inFlightBatches).toBe(concurrency);
      gates[0]!.resolve();
      await until(() => started === 2);
      gates[1]!.resolve();
      await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
      await batcher.close();
    }
  });

  it('rejects with QueueFullError when maxQueue requests are waiting', async () => {
    const gate = deferred();
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 1,
      maxWaitMs: 0,
      maxQueue: 2,
      run: async (xs) => {
        await gate.promise;
        return xs;
      },
    });
    let queueFull = 0;
    batcher.observe({ onQueueFull: () => queueFull++ });
    const running = batcher.submit(1); // dispatched at once (batch of 1 is full)
    const waiting = [batcher.submit(2), batcher.submit(3)];
    expect(batcher.queueDepth).toBe(2);
    const rejected = batcher.submit(4);
    await expect(rejected).rejects.toBeInstanceOf(QueueFullError);
    await expect(rejected).rejects.toMatchObject({ code: 'INFERENCE_QUEUE_FULL', maxQueue: 2 });
    expect(queueFull).toBe(1);
    expect(batcher.stats().rejectedQueueFull).toBe(1);
    gate.resolve();
    await expect(Promise.all([running, ...waiting])).resolves.toEqual([1, 2, 3]);
    await batcher.close();
  });

  it('a batch whose run throws rejects only its own members', async () => {
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 2,
      maxWaitMs: 60_000,
      maxQueue: 10,
      run: async (xs) => {
        if (xs.includes('bad')) throw new Error('model exploded');
        return xs.map((x) => `ok:${x}`);
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c', 'd'].map((x) => batcher.submit(x)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('model exploded');
    expect((results[3] as PromiseFulfilledResult<string>).value).toBe('ok:d');
    expect(batcher.stats()).toMatchObject({ batches: 2, failedBatches: 1, items: 4 });
    await batcher.close();
  });

  it('a synchronous throw inside run is handled like a rejection', async () => {
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 1,
      maxWaitMs: 0,
      maxQueue: 10,
      run: ((_xs: number[]) => {
        throw new Error('sync failure');
      }) as unknown as (xs: number[]) => Promise<number[]>,
    });
    await expect(batcher.submit(1)).rejects.toThrow('sync failure');
    await batcher.close();
  });

  it('reports a result count mismatch as BatchResultMismatchError', async () => {
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 3,
      maxWaitMs: 60_000,
      maxQueue: 10,
      run: async (xs) => xs.slice(1),
    });
    const results = await Promise.allSettled([1, 2, 3].map((x) => batcher.submit(x)));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(BatchResultMismatchError);
      expect(reason.message).toContain('2 results for 3 inputs');
    }
    await batcher.close();
  });

  it('close() drains queued requests without waiting for maxWaitMs, then refuses new ones', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 2,
      maxWaitMs: 60_000,
      maxQueue: 10,
      run: async (xs) => {
        calls.push(xs);
        return xs.map((x) => -x);
      },
    });
    const pending = [1, 2, 3].map((x) => batcher.submit(x));
    await batcher.close();
    await expect(Promise.all(pending)).resolves.toEqual([-1, -2, -3]);
    expect(calls).toEqual([[1, 2], [3]]);
    await expect(batcher.submit(4)).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('an aborted request leaves the queue and never reaches run', async () => {
    const seen: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 10,
      maxWaitMs: 60_000,
      maxQueue: 10,
      run: async (xs) => {
        seen.push(...xs);
        return xs;
      },
    });
    const controller = new AbortController();
    const kept = batcher.submit(1);
    const aborted = batcher.submit(2, { signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    expect(batcher.queueDepth).toBe(1);
    await expect(batcher.submit(3, { signal: controller.signal })).rejects.toThrow('client went away');
    await batcher.close();
    await expect(kept).resolves.toBe(1);
    expect(seen).toEqual([1]);
    expect(batcher.stats().aborted).toBe(2);
  });

  it('serves higher priority first, arrival order within a priority', async () => {
    const gate = deferred();
    const order: string[] = [];
    const batcher = new MicroBatcher<string, string>({
      maxBatchSize: 1,
      maxWaitMs: 0,
      maxQueue: 10,
      run: async (xs) => {
        if (xs[0] === 'first') await gate.promise;
        order.push(...xs);
        return xs;
      },
    });
    const all = [
      batcher.submit('first'),
      batcher.submit('low', { priority: -1 }),
      batcher.submit('high-1', { priority: 5 }),
      batcher.submit('mid'),
      batcher.submit('high-2', { priority: 5 }),
    ];
    gate.resolve();
    await Promise.all(all);
    expect(order).toEqual(['first', 'high-1', 'high-2', 'mid', 'low']);
    await batcher.close();
  });

  it('feeds batch sizes, run time and queue depth to observers', async () => {
    const events: BatchEvent[] = [];
    const depths: number[] = [];
    const batcher = new MicroBatcher<number, number>({
      maxBatchSize: 3,
      maxWaitMs: 60_000,
      maxQueue: 10,
      run: async (xs) => xs,
    });
    const stop = batcher.observe({ onBatch: (e) => events.push(e), onQueueDepth: (d) => depths.push(d) });
    await Promise.all([1, 2, 3].map((x) => batcher.submit(x)));
    expect(events).toHaveLength(1);
    expect(events[0]!.size).toBe(3);
    expect(events[0]!.runMs).toBeGreaterThanOrEqual(0);
    expect(events[0]!.error).toBeUndefined();
    expect(depths).toEqual([1, 2, 3, 0]);
    expect(batcher.stats()).toMatchObject({ batches: 1, items: 3, meanBatchSize: 3, queueDepth: 0 });
    stop();
    const last = batcher.submit(4);
    await batcher.close(); // drains the last request without waiting maxWaitMs
    await expect(last).resolves.toBe(4);
    expect(events).toHaveLength(1);
  });

  it('rejects nonsense options with a clear error', () => {
    const run = async (xs: number[]) => xs;
    expect(() => new MicroBatcher({ maxBatchSize: 0, maxWaitMs: 1, maxQueue: 1, run })).toThrow(
      /maxBatchSize must be an integer >= 1/,
    );
    expect(() => new MicroBatcher({ maxBatchSize: 1, maxWaitMs: -1, maxQueue: 1, run })).toThrow(/maxWaitMs/);
    expect(() => new MicroBatcher({ maxBatchSize: 1, maxWaitMs: 1, maxQueue: 1.5, run })).toThrow(/maxQueue/);
    expect(
      () => new MicroBatcher({ maxBatchSize: 1, maxWaitMs: 1, maxQueue: 1, concurrency: 0, run }),
    ).toThrow(/concurrency/);
  });
});
