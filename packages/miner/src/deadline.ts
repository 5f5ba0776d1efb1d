/**
 * A request's deadline: cancelled when its timeout passes or its client goes away. Cheaper than an
 * AbortController per request (EventTarget listeners showed up in the miner's hot path); a real
 * AbortSignal is created only when something asks for one (a plugin's non-batched forward).
 */

/** Something that can be cancelled once, with a reason. {@link Deadline} and {@link fromAbortSignal} make one. */
export interface Cancellable {
  /** The cancel reason, or undefined while not cancelled. */
  readonly reason: unknown;
  /** Calls `listener` once on cancel; returns a function that unsubscribes. */
  onCancel(listener: (reason: unknown) => void): () => void;
}

/** The synapse timeout passed (HTTP 408). */
export class RequestTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within the ${timeoutMs} ms timeout`);
    this.name = 'RequestTimeout';
  }
}

/** The client closed the connection before the answer. */
export class ClientGone extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGone';
  }
}

const noop = () => {};

/** A per-request deadline of `timeoutMs`; call {@link Deadline.dispose} when the request is done. */
export class Deadline implements Cancellable {
  reason: unknown = undefined;
  private listeners: ((reason: unknown) => void)[] = [];
  private controller: AbortController | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => this.cancel(new RequestTimeout(timeoutMs)), timeoutMs);
  }

  /** Cancels now (first reason wins). */
  cancel(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason ?? new Error('cancelled');
    clearTimeout(this.timer);
    this.controller?.abort(this.reason);
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(this.reason);
  }

  onCancel(listener: (reason: unknown) => void): () => void {
    if (this.reason !== undefined) {
      listener(this.reason);
      return noop;
    }
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** An AbortSignal that aborts with the same reason (created on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Stops the timer and drops listeners; the deadline can no longer fire. */
  dispose(): void {
    clearTimeout(this.timer);
    this.listeners = [];
  }
}

/** Adapts an AbortSignal to {@link Cancellable}. */
export function fromAbortSignal(signal: AbortSignal): Cancellable {
  return {
    get reason() {
      return signal.aborted ? signal.reason : undefined;
    },
    onCancel(listener) {
      if (signal.aborted) {
        listener(signal.reason);
        return noop;
      }
      const onAbort = () => listener(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves with `work`, or rejects with the cancel reason as soon as `cancel` fires. */
export function raceCancel<T>(work: Promise<T>, cancel: Cancellable): Promise<T> {
  if (cancel.reason !== undefined) return Promise.reject(cancel.reason);
  return new Promise<T>((resolve, reject) => {
    const off = cancel.onCancel(reject);
    work.then(
      (value) => {
        off();
        resolve(value);
      },
      (err: unknown) => {
        off();
        reject(err);
      },
    );
  });
}
