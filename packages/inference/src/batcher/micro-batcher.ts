import { BatchResultMismatchError, BatcherClosedError, QueueFullError } from './errors.js';

/** Options for {@link MicroBatcher}. */
export interface MicroBatcherOptions<I, O> {
  /** Largest batch handed to `run`. A full queue flushes at once, without waiting. */
  maxBatchSize: number;
  /** Longest time (ms) the oldest waiting request is held back to gather a fuller batch. */
  maxWaitMs: number;
  /** Most requests allowed to wait (not counting running batches); beyond it submit rejects with QueueFullError. */
  maxQueue: number;
  /** Batches run at the same time (default 1: one batch at a time per model). */
  concurrency?: number;
  /** Runs one batch; must resolve to exactly one output per input, in input order. */
  run: (inputs: I[]) => Promise<O[]>;
}

/** Per-request options for {@link MicroBatcher.submit}. */
export interface SubmitOptions {
  /** Abort while waiting: the request leaves the queue and the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Higher runs first (default 0); equal priorities keep arrival order. */
  priority?: number;
}

/** What one finished batch looked like; fed to observers for metrics. */
export interface BatchEvent {
  /** Number of requests in the batch. */
  size: number;
  /** Wall time of `run` in milliseconds. */
  runMs: number;
  /** How long the oldest member waited in the queue before the batch started, in milliseconds. */
  maxWaitMs: number;
  /** Set when `run` threw or returned the wrong number of results. */
  error?: unknown;
}

/** Callbacks for metrics; every field is optional. */
export interface BatcherObserver {
  onBatch?(event: BatchEvent): void;
  /** A submit was rejected because the queue was full. */
  onQueueFull?(): void;
  /** The number of waiting requests changed. */
  onQueueDepth?(depth: number): void;
}

/** Running totals since construction. */
export interface BatcherStats {
  queueDepth: number;
  inFlightBatches: number;
  batches: number;
  items: number;
  failedBatches: number;
  rejectedQueueFull: number;
  aborted: number;
  /** Mean batch size over all batches run (0 before the first). */
  meanBatchSize: number;
}

interface Pending<I, O> {
  input: I;
  priority: number;
  seq: number;
  enqueuedAt: number;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
  settled: boolean;
  cleanup?: () => void;
}

function assertPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`MicroBatcher: ${name} must be an integer >= 1, got ${value}`);
  }
}

/**
 * Dynamic micro-batching: gathers concurrent requests into one call of `run` (one tensor op on
 * the accelerator instead of N), bounded by `maxBatchSize` and `maxWaitMs`, with a bounded queue
 * so an overloaded miner sheds load (QueueFullError) instead of growing memory without limit.
 */
export class MicroBatcher<I, O> {
  private readonly maxBatchSize: number;
  private readonly maxWaitMs: number;
  private readonly maxQueue: number;
  private readonly concurrency: number;
  private readonly runFn: (inputs: I[]) => Promise<O[]>;
  // Kept sorted: priority descending, then arrival (seq) ascending.
  private readonly queue: Pending<I, O>[] = [];
  private readonly observers = new Set<BatcherObserver>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private seq = 0;
  private closed = false;
  private readonly counters = { batches: 0, items: 0, failedBatches: 0, rejectedQueueFull: 0, aborted: 0 };

  constructor(options: MicroBatcherOptions<I, O>) {
    assertPositiveInt('maxBatchSize', options.maxBatchSize);
    assertPositiveInt('maxQueue', options.maxQueue);
    assertPositiveInt('concurrency', options.concurrency ?? 1);
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) {
      throw new RangeError(`MicroBatcher: maxWaitMs must be a finite number >= 0, got ${options.maxWaitMs}`);
    }
    if (typeof options.run !== 'function') throw new TypeError('MicroBatcher: run must be a function');
    this.maxBatchSize = options.maxBatchSize;
    this.maxWaitMs = options.maxWaitMs;
    this.maxQueue = options.maxQueue;
    this.concurrency = options.concurrency ?? 1;
    this.runFn = options.run;
  }

  /** Requests waiting for a batch (not counting running batches). */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Batches currently running. */
  get inFlightBatches(): number {
    return this.inFlight.size;
  }

  /** Totals for metrics and tests. */
  stats(): BatcherStats {
    const { batches, items } = this.counters;
    return {
      ...this.counters,
      queueDepth: this.queue.length,
      inFlightBatches: this.inFlight.size,
      meanBatchSize: batches === 0 ? 0 : items / batches,
    };
  }

  /** Adds a metrics observer; returns a function that removes it. */
  observe(observer: BatcherObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * Queues one request and resolves with its own output once its batch has run.
   * Rejects with QueueFullError when `maxQueue` requests are already waiting, with
   * BatcherClosedError after close(), with the signal's reason if aborted while waiting, and with
   * the batch's error if `run` throws (only that batch's members see it).
   */
  submit(input: I, options: SubmitOptions = {}): Promise<O> {
    if (this.closed) return Promise.reject(new BatcherClosedError());
    const { signal } = options;
    if (signal?.aborted) {
      this.counters.aborted++;
      return Promise.reject(signal.reason);
    }
    if (this.queue.length >= this.maxQueue) {
      this.counters.rejectedQueueFull++;
      this.emit((o) => o.onQueueFull?.());
      return Promise.reject(new QueueFullError(this.maxQueue));
    }
    const priority = options.priority ?? 0;
    if (!Number.isFinite(priority)) {
      return Promise.reject(
        new RangeError(`MicroBatcher: priority must be a finite number, got ${priority}`),
      );
    }
    return new Promise<O>((resolve, reject) => {
      const item: Pending<I, O> = {
        input,
        priority,
        seq: this.seq++,
        enqueuedAt: performance.now(),
        resolve,
        reject,
        settled: false,
      };
      if (signal) {
        const onAbort = () => this.abort(item, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        item.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.insert(item);
      this.emit((o) => o.onQueueDepth?.(this.queue.length));
      this.schedule();
    });
  }

  /**
   * Stops accepting requests, runs everything already queued (without waiting for maxWaitMs) and
   * resolves once every batch has finished.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      while (this.queue.length > 0 && this.inFlight.size < this.concurrency) this.dispatch();
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  private insert(item: Pending<I, O>): void {
    // Binary search for the first element that should come after `item`.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.queue[mid]!;
      const after =
        other.priority < item.priority || (other.priority === item.priority && other.seq > item.seq);
      if (after) hi = mid;
      else lo = mid + 1;
    }
    this.queue.splice(lo, 0, item);
  }

  private abort(item: Pending<I, O>, reason: unknown): void {
    if (item.settled) return;
    const index = this.queue.indexOf(item);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.emit((o) => o.onQueueDepth?.(this.queue.length));
    }
    // A request already in a running batch cannot be pulled out of the tensor op: the caller
    // stops waiting now and the batch's result for it is dropped.
    this.counters.aborted++;
    this.settle(item, () => item.reject(reason));
  }

  private settle(item: Pending<I, O>, action: () => void): void {
    if (item.settled) return;
    item.settled = true;
    item.cleanup?.();
    action();
  }

  /** Decides whether to run a batch now or when the oldest request's wait runs out. */
  private schedule(): void {
    if (this.queue.length === 0 || this.inFlight.size >= this.concurrency) return;
    if (this.queue.length >= this.maxBatchSize || this.closed) {
      this.clearTimers();
      this.dispatch();
      this.schedule();
      return;
    }
    if (this.timer !== undefined || this.immediate !== undefined) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const item of this.queue) oldest = Math.min(oldest, item.enqueuedAt);
    const delay = oldest + this.maxWaitMs - performance.now();
    const fire = () => {
      this.timer = undefined;
      this.immediate = undefined;
      if (this.queue.length > 0 && this.inFlight.size < this.concurrency) this.dispatch();
      this.schedule();
    };
    // setImmediate still lets requests submitted in the same tick join the batch when maxWaitMs is 0.
    if (delay <= 0) this.immediate = setImmediate(fire);
    else this.timer = setTimeout(fire, delay);
  }

  private clearTimers(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private dispatch(): void {
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (batch.length === 0) return;
    this.emit((o) => o.onQueueDepth?.(this.queue.length));
    const task = this.runBatch(batch).finally(() => {
      this.inFlight.delete(task);
      if (!this.closed) this.schedule();
    });
    this.inFlight.add(task);
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    const start = performance.now();
    let maxWait = 0;
    for (const item of batch) maxWait = Math.max(maxWait, start - item.enqueuedAt);
    let error: unknown;
    let outputs: O[] | undefined;
    try {
      outputs = await this.runFn(batch.map((item) => item.input));
      if (!Array.isArray(outputs) || outputs.length !== batch.length) {
        error = new BatchResultMismatchError(
          batch.length,
          Array.isArray(outputs) ? outputs.length : undefined,
        );
      }
    } catch (err) {
      error = err ?? new Error('batch run rejected without a reason');
    }
    const runMs = performance.now() - start;
    this.counters.batches++;
    this.counters.items += batch.length;
    if (error !== undefined) this.counters.failedBatches++;
    batch.forEach((item, i) => {
      this.settle(item, () => (error === undefined ? item.resolve(outputs![i] as O) : item.reject(error)));
    });
    const event: BatchEvent = { size: batch.length, runMs, maxWaitMs: maxWait };
    if (error !== undefined) event.error = error;
    this.emit((o) => o.onBatch?.(event));
  }

  private emit(call: (observer: BatcherObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch {
        // A broken metrics callback must never fail inference requests.
      }
    }
  }
}
