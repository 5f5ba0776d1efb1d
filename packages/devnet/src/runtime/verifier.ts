/**
 * sr25519 signature checks on worker threads, so the pool verifies while the main thread decodes and
 * builds blocks. Requests made in the same tick go to the workers as one batch. ed25519 and ecdsa (rare on
 * subtensor) are checked on the calling thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type Extrinsic, isKnownKey, sr25519WellFormed, verifyMessage } from './extrinsic.js';

interface Job {
  id: number;
  signer: Uint8Array;
  msg: Uint8Array;
  sig: Uint8Array;
}

// Plain CommonJS run with `eval: true`, so it works from the compiled package and from TypeScript sources.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { sr25519_verify } = require(workerData.schnorrkel);
parentPort.on('message', (jobs) => {
  const out = new Array(jobs.length);
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i];
    let ok = false;
    try { ok = sr25519_verify(j.signer, j.msg, j.sig); } catch { ok = false; }
    out[i] = [j.id, ok];
  }
  parentPort.postMessage(out);
});
`;

export class Verifier {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { job: Job; done: (ok: boolean) => void }>();
  private queue: Job[] = [];
  private scheduled = false;
  private nextId = 0;
  private rr = 0;
  private closed = false;

  constructor(count: number) {
    const schnorrkel = createRequire(import.meta.url).resolve('@polkadot-labs/schnorrkel-wasm');
    for (let i = 0; i < count; i++) {
      // execArgv: [] so flags of the parent (e.g. --input-type=module) do not change how the source is read.
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { schnorrkel }, execArgv: [] });
      w.on('message', (results: [number, boolean][]) => {
        for (const [id, ok] of results) {
          const p = this.pending.get(id);
          this.pending.delete(id);
          p?.done(ok);
        }
        // Idle workers must not keep the process alive.
        if (this.pending.size === 0) for (const x of this.workers) x.unref();
      });
      // A dead worker is dropped; what it had pending is checked on this thread.
      const drop = () => {
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        this.failAll();
      };
      w.on('error', drop);
      w.on('exit', drop);
      w.unref();
      this.workers.push(w);
    }
  }

  /** Verifies the extrinsic's signature over `msg`. */
  verify(x: Pick<Extrinsic, 'sigType' | 'signer' | 'signature'>, msg: Uint8Array): Promise<boolean> {
    // Unknown keys and malformed signatures take the safe path on this thread (see sr25519Check).
    const fast = x.sigType === 1 && isKnownKey(x.signer!) && sr25519WellFormed(x.signature!);
    if (!fast || this.closed || this.workers.length === 0) return Promise.resolve(verifyMessage(x, msg));
    return new Promise((resolve) => {
      const id = this.nextId++;
      const job = { id, signer: x.signer!, msg, sig: x.signature! };
      this.pending.set(id, { job, done: resolve });
      this.queue.push(job);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    if (this.workers.length === 0) {
      this.failAll();
      return;
    }
    // Split the batch over the workers only: this thread decodes, answers RPC and builds blocks, and under
    // load over WebSocket it is the busy one: its share of the checks only delayed the rest.
    const perWorker = Math.ceil(jobs.length / this.workers.length);
    for (let i = 0; i < jobs.length; i += perWorker) {
      const w = this.workers[this.rr++ % this.workers.length]!;
      w.ref();
      w.postMessage(jobs.slice(i, i + perWorker));
    }
  }

  /** A worker failed or the verifier closed: check what is still pending on this thread. */
  private failAll(): void {
    for (const { job, done } of this.pending.values())
      done(verifyMessage({ sigType: 1, signer: job.signer, signature: job.sig }, job.msg));
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
