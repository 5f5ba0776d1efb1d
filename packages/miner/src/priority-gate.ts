/**
 * Bounded concurrency with stake priority: at most `maxConcurrency` requests run at once, at most
 * `maxQueue` wait, and when the queue is full the lowest-priority request (waiting or incoming) is
 * shed. This is the miner's answer to overload: validators with more stake keep getting answers,
 * the smallest callers get a fast 503 instead of a slow timeout.
 */

import type { Cancellable } from './deadline.js';

/** A request was shed because the miner is saturated (HTTP 503). */
export class OverloadedError extends Error {
  readonly code = 'MINER_OVERLOADED';
  constructor(
    readonly maxConcurrency: number,
    readonly maxQueue: number,
  ) {
    super(
      `miner is saturated (${maxConcurrency} requests running, ${maxQueue} waiting) and this caller has the lowest priority; retry later`,
    );
    this.name = 'OverloadedError';
  }
}

/** Options of {@link PriorityGate}. */
export interface PriorityGateOptions {
  /** Requests allowed to run at once (>= 1). */
  maxConcurrency: number;
  /** Requests allowed to wait for a slot (>= 0). */
  maxQueue: number;
}

interface Waiter {
  priority: number;
  seq: number;
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  cleanup?: () => void;
}

/** Live numbers for metrics and /healthz. */
export interface GateStats {
  running: number;
  waiting: number;
  shed: number;
}

/**
 * The admission gate. `acquire(priority)` resolves with a release function once a slot is free;
 * call it exactly once when the request is done (extra calls are ignored).
 */
export class PriorityGate {
  private readonly maxConcurrency: number;
  private readonly maxQueue: number;
  // Sorted: priority descending, then arrival ascending. The last element is the first to shed.
  private readonly queue: Waiter[] = [];
  private running = 0;
  private seq = 0;
  private shedCount = 0;

  constructor(options: PriorityGateOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be an integer >= 1, got ${options.maxConcurrency}`);
    }
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError(`maxQueue must be an integer >= 0, got ${options.maxQueue}`);
    }
    this.maxConcurrency = options.maxConcurrency;
    this.maxQueue = options.maxQueue;
  }

  /** Current load. */
  stats(): GateStats {
    return { running: this.running, waiting: this.queue.length, shed: this.shedCount };
  }

  /**
   * Waits for a slot. Rejects with {@link OverloadedError} when shed (now, or later when a
   * higher-priority request arrives while this one waits), or with the cancel reason if `cancel`
   * fires while waiting.
   */
  acquire(priority: number, cancel?: Cancellable): Promise<() => void> {
    if (cancel?.reason !== undefined) return Promise.reject(cancel.reason);
    const p = Number.isFinite(priority) ? priority : 0;
    if (this.running < this.maxConcurrency && this.queue.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueue) {
      const lowest = this.queue[this.queue.length - 1];
      // Ties keep the request already waiting: among equals, first come first served.
      if (lowest === undefined || lowest.priority >= p) {
        this.shedCount++;
        return Promise.reject(new OverloadedError(this.maxConcurrency, this.maxQueue));
      }
      this.queue.pop();
      lowest.cleanup?.();
      this.shedCount++;
      lowest.reject(new OverloadedError(this.maxConcurrency, this.maxQueue));
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { priority: p, seq: this.seq++, resolve, reject };
      if (cancel) {
        waiter.cleanup = cancel.onCancel((reason) => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(reason);
        });
      }
      this.insert(waiter);
    });
  }

  private insert(waiter: Waiter): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.queue[mid]!;
      if (other.priority < waiter.priority) hi = mid;
      else lo = mid + 1;
    }
    this.queue.splice(lo, 0, waiter);
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.queue.shift();
      if (next) {
        // The slot passes straight to the next waiter; `running` is unchanged.
        next.cleanup?.();
        next.resolve(this.releaser());
      } else {
        this.running--;
      }
    };
  }
}
