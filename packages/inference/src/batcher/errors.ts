/**
 * Errors a caller of {@link MicroBatcher} can see. Each has a stable `code` so a server can map it
 * to a status (QueueFullError -> 503, BatcherClosedError -> 503) without string matching.
 */

/** The bounded queue is full: the caller should shed load (HTTP 503 + Retry-After). */
export class QueueFullError extends Error {
  readonly code = 'INFERENCE_QUEUE_FULL';
  constructor(readonly maxQueue: number) {
    super(
      `inference queue is full (${maxQueue} requests waiting); retry later, or raise maxQueue / add capacity`,
    );
    this.name = 'QueueFullError';
  }
}

/** submit() after close(): the batcher no longer accepts work. */
export class BatcherClosedError extends Error {
  readonly code = 'INFERENCE_BATCHER_CLOSED';
  constructor() {
    super('inference batcher is closed (the miner is shutting down); submit to a new MicroBatcher');
    this.name = 'BatcherClosedError';
  }
}

/** The batch `run` function returned a different number of outputs than it was given inputs. */
export class BatchResultMismatchError extends Error {
  readonly code = 'INFERENCE_BATCH_RESULT_MISMATCH';
  constructor(
    readonly inputs: number,
    readonly outputs: number | undefined,
  ) {
    super(
      `batch run returned ${outputs === undefined ? 'a non-array' : `${outputs} results`} for ${inputs} inputs; ` +
        'run(inputs) must resolve to an array with exactly one output per input, in the same order',
    );
    this.name = 'BatchResultMismatchError';
  }
}
