/**
 * The dendrite: sends one synapse request to many axons at once. One undici `Pool` per axon
 * (keep-alive connections reused across rounds), a global concurrency cap, a per-request deadline,
 * btauth/1 headers signed freshly for every attempt (so a retry is never a replay), and every
 * query classified with its latency. Retries happen here, at the application level only.
 */
import { performance } from 'node:perf_hooks';
import type { MinerResponse, QueryOutcome, WireErrorKind } from '@subnetkit/core';
import { Pool } from 'undici';
import { classifyNetworkError, classifyResponse, isRetryable } from './classify.js';
import type { MinerTarget } from './types.js';

/** Signs one request; returns the headers to send (btauth/1: see `btauthSigner`). */
export type DendriteSigner = (request: {
  method: 'POST';
  target: string;
  body: string;
  receiver: string;
}) => Promise<Record<string, string>> | Record<string, string>;

export interface DendriteOptions {
  /** Signs each attempt (fresh nonce per attempt). */
  sign: DendriteSigner;
  /** Default per-request deadline, connect to last body byte (ms). Default 12 000, as the SDK. */
  timeoutMs?: number;
  /** Most requests in flight at once across all axons. Default 256. */
  concurrency?: number;
  /** Keep-alive connections per axon. Default 2. */
  connectionsPerAxon?: number;
  /** Extra attempts for a timeout, a refused connection, or an answer the catalogue calls retryable. Default 0. */
  retries?: number;
  /** Responses larger than this are cut off and counted invalid. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Pools kept open at most (one per axon address); the least recently used is closed. Default 1024. */
  maxPools?: number;
}

export interface QueryOptions {
  timeoutMs?: number;
  retries?: number;
  /** Returns a reason when the decoded body does not match the synapse's response schema. */
  validate?: (body: unknown) => string | undefined;
}

/** A classified answer: core's `MinerResponse` plus the reason of a failure and the attempts made. */
export interface DendriteResponse<R = unknown> extends MinerResponse<R> {
  error?: string;
  /** The wire-error kind the axon answered with (core's catalogue), for non-2xx answers. */
  kind?: WireErrorKind;
  attempts: number;
}

class TooLarge extends Error {}

/** Requests signed and dispatched between two event-loop turns. */
const DISPATCH_CHUNK = 8;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A FIFO counting semaphore for the concurrency cap. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

function checkPositiveInt(name: string, value: number, allowZero = false): number {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new RangeError(
      `dendrite ${name} ${value} is invalid; pass a ${allowZero ? 'non-negative' : 'positive'} integer`,
    );
  }
  return value;
}

export class Dendrite {
  private readonly pools = new Map<string, Pool>();
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly connections: number;
  private readonly maxResponseBytes: number;
  private readonly maxPools: number;
  private closed = false;

  constructor(private readonly options: DendriteOptions) {
    this.timeoutMs = checkPositiveInt('timeoutMs', options.timeoutMs ?? 12_000);
    this.retries = checkPositiveInt('retries', options.retries ?? 0, true);
    this.connections = checkPositiveInt('connectionsPerAxon', options.connectionsPerAxon ?? 2);
    this.maxResponseBytes = checkPositiveInt('maxResponseBytes', options.maxResponseBytes ?? 1 << 20);
    this.maxPools = checkPositiveInt('maxPools', options.maxPools ?? 1024);
    this.semaphore = new Semaphore(checkPositiveInt('concurrency', options.concurrency ?? 256));
  }

  /** Query every target with the same request; one classified response per target, in order. */
  async query<R = unknown>(
    targets: readonly MinerTarget[],
    synapse: string,
    request: unknown,
    options: QueryOptions = {},
  ): Promise<DendriteResponse<R>[]> {
    if (this.closed) throw new Error('dendrite is closed; create a new Dendrite');
    const body = JSON.stringify(request);
    const path = `/${encodeURIComponent(synapse)}`;
    const pending: Promise<DendriteResponse<R>>[] = [];
    for (let i = 0; i < targets.length; i++) {
      pending.push(this.queryOne<R>(targets[i]!, path, body, options));
      // Signing is CPU work: yield to the event loop every few requests so the ones already signed
      // go out on the wire while the rest are signed, instead of all waiting for the last signature.
      if (i % DISPATCH_CHUNK === DISPATCH_CHUNK - 1 && i < targets.length - 1) await yieldToIo();
    }
    return Promise.all(pending);
  }

  /** Close every pooled connection. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  private pool(target: MinerTarget): Pool {
    const host = target.ip.includes(':') ? `[${target.ip}]` : target.ip;
    const origin = `http://${host}:${target.port}`;
    let pool = this.pools.get(origin);
    if (pool) {
      // Keep the map in least-recently-used order.
      this.pools.delete(origin);
    } else {
      pool = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        // Our own per-request deadline is the timeout; undici's would cut long synapse timeouts short.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      if (this.pools.size >= this.maxPools) {
        // Axons that left the metagraph (or moved) leave idle pools behind: close the oldest.
        const [oldOrigin, oldPool] = this.pools.entries().next().value as [string, Pool];
        this.pools.delete(oldOrigin);
        void oldPool.close().catch(() => undefined);
      }
    }
    this.pools.set(origin, pool);
    return pool;
  }

  private async queryOne<R>(
    target: MinerTarget,
    path: string,
    body: string,
    options: QueryOptions,
  ): Promise<DendriteResponse<R>> {
    const retries = options.retries ?? this.retries;
    let last: DendriteResponse<R> | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      last = await this.attempt<R>(target, path, body, options, attempt);
      if (!isRetryable(last.outcome, last.status, last.kind)) break;
    }
    return last!;
  }

  private async attempt<R>(
    target: MinerTarget,
    path: string,
    body: string,
    options: QueryOptions,
    attempts: number,
  ): Promise<DendriteResponse<R>> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const base = { uid: target.uid, hotkey: target.hotkey, attempts };
    await this.semaphore.acquire();
    let headers: Record<string, string>;
    try {
      headers = await this.options.sign({ method: 'POST', target: path, body, receiver: target.hotkey });
    } catch (err) {
      // Not the miner's fault: a locked or broken hotkey. Fail loudly instead of blaming the axon.
      this.semaphore.release();
      throw new Error(`dendrite could not sign the request to ${target.hotkey}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // The deadline and the latency cover the network and the miner, not our own signing.
    const started = performance.now();
    const controller = new AbortController();
    let deadlinePassed = false;
    const timer = setTimeout(() => {
      deadlinePassed = true;
      controller.abort();
    }, timeoutMs);
    const latency = () => Math.round((performance.now() - started) * 1000) / 1000;
    try {
      const res = await this.pool(target).request({
        method: 'POST',
        path,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal: controller.signal,
      });
      let text: string;
      try {
        text = await readCapped(res.body, this.maxResponseBytes);
      } catch (err) {
        if (err instanceof TooLarge) {
          return {
            ...base,
            outcome: 'invalid_response',
            status: res.statusCode,
            latencyMs: latency(),
            error: `response larger than ${this.maxResponseBytes} bytes`,
          };
        }
        throw err;
      }
      const verdict = classifyResponse(res.statusCode, text, options.validate ?? (() => undefined));
      const out: DendriteResponse<R> = {
        ...base,
        outcome: verdict.outcome,
        status: res.statusCode,
        latencyMs: latency(),
      };
      if (verdict.outcome === 'ok') out.response = verdict.response as R;
      if (verdict.error !== undefined) out.error = verdict.error;
      if (verdict.kind !== undefined) out.kind = verdict.kind;
      return out;
    } catch (err) {
      const { outcome, error } = classifyNetworkError(err, deadlinePassed);
      return { ...base, outcome: outcome as QueryOutcome, latencyMs: latency(), error };
    } finally {
      clearTimeout(timer);
      this.semaphore.release();
    }
  }
}

async function readCapped(
  body: AsyncIterable<Uint8Array> & { destroy?: (e?: Error) => void },
  max: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) {
      body.destroy?.();
      throw new TooLarge();
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks).toString('utf8');
}
