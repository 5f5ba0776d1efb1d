/**
 * The dendrite: sends one synapse request to many axons at once. One undici `Pool` per axon
 * (keep-alive connections reused across rounds), a global concurrency cap, a per-request deadline,
 * requests signed freshly for every attempt (so a retry is never a replay) in btauth/1 or the
 * Python SDK's legacy v10 scheme, streamed answers read under a first-chunk and a total deadline
 * and a size cap, and every query classified with its latency. Retries happen here, at the
 * application level only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  type ArtifactDefinition,
  ArtifactReceiver,
  type ArtifactReceipt,
  artifactDefinition,
  buildLegacyRequest,
  classifyWireAnswer,
  readLegacyAnswer,
  type MinerResponse,
  type QueryOutcome,
  type RequestSigner,
  type StreamCut,
  type WireErrorKind,
  type WireProtocol,
} from '@subnetkit/core';
import { Pool } from 'undici';
import {
  classifyLegacyResponse,
  classifyNetworkError,
  classifyResponse,
  isRetryable,
  looksLikeLegacyAxon,
  type Verdict,
} from './classify.js';
import { readEventStream, type StreamProgress, streamTiming } from './event-stream.js';
import type { MinerTarget } from './types.js';

/**
 * Signs one btauth/1 request; returns the headers to send (see `btauthSigner`). `hotkey`, when set,
 * is the key behind it, which the dendrite also uses to sign legacy v10 requests.
 */
export type DendriteSigner = ((request: {
  method: 'POST';
  target: string;
  body: string;
  receiver: string;
}) => Promise<Record<string, string>> | Record<string, string>) & { readonly hotkey?: RequestSigner };

/**
 * Which protocol the dendrite speaks: `btauth` (btauth/1), `legacy` (Python SDK v10 `bt_header_*`),
 * or `auto`: btauth/1 first, and for a miner that answers like a Python v10 axon (a JSON `message`
 * without a wire-error kind) legacy v10 from then on.
 */
export type DendriteProtocol = WireProtocol | 'auto';

/** Every {@link DendriteProtocol}, for flag parsing. */
export const DENDRITE_PROTOCOLS: readonly DendriteProtocol[] = ['btauth', 'legacy', 'auto'];

/** How the dendrite presents itself to legacy v10 axons. */
export interface LegacyDendriteOptions {
  /** The sr25519 hotkey that signs (default: `sign.hotkey`). */
  signer?: RequestSigner;
  /** `bt_header_dendrite_ip` (default `0.0.0.0`; a Python axon replaces it with the peer address). */
  ip?: string;
  /** The dendrite uuid (default: a random one per Dendrite). */
  uuid?: string;
}

export interface DendriteOptions {
  /** Signs each btauth/1 attempt (fresh nonce per attempt). */
  sign: DendriteSigner;
  /** Default protocol when a query names none (default `btauth`). */
  protocol?: DendriteProtocol;
  /** Legacy v10 identity and signer. */
  legacy?: LegacyDendriteOptions;
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
  /**
   * How long a signature made ahead by {@link Dendrite.presign} stays usable (ms). Default 2 000: well
   * inside btauth/1's default 10 s nonce window, also for a miner whose clock is a few seconds behind.
   */
  presignMaxAgeMs?: number;
}

/** A streaming synapse, as the dendrite reads it (see core's `StreamDefinition`). */
export interface StreamQueryOptions {
  /** Undefined when a chunk matches the chunk schema, else the reason. */
  checkChunk: (chunk: unknown) => string | undefined;
  /** The answer from its chunks (then checked by `validate`). */
  assemble: (chunks: unknown[]) => unknown;
  /** Cut (as a timeout) when no chunk arrived this long after sending. Default: the query timeout. */
  firstChunkTimeoutMs?: number;
  /** Cut (as invalid) past this many bytes. Default: the dendrite's `maxResponseBytes`. */
  maxBytes?: number;
}

/**
 * An artifact synapse, as the dendrite reads it (see core's `ArtifactDefinition`): the answer is raw
 * bytes, read under `definition.maxBytes` and accepted only when their hash is `expected[hotkey]`.
 */
export interface ArtifactQueryOptions {
  definition: ArtifactDefinition;
  /** The hash (hex) each miner's artifact must have, by hotkey; miners without one are not asked. */
  expected: Readonly<Record<string, string>>;
}

export interface QueryOptions {
  timeoutMs?: number;
  retries?: number;
  /** Returns a reason when the decoded body does not match the synapse's response schema. */
  validate?: (body: unknown) => string | undefined;
  /** The protocol for this query (default: the dendrite's). */
  protocol?: DendriteProtocol;
  /** Legacy v10 details of the synapse. */
  legacy?: {
    /** The Python class's `required_hash_fields`. */
    requiredHashFields?: readonly string[];
    /** Request fields the class requires (`bt_header_input_obj_*` placeholders). */
    requiredFieldNames?: readonly string[];
    /** The response schema's fields: what is read back from the returned synapse. */
    responseFields?: readonly string[];
  };
  /** Set for a streaming synapse. */
  stream?: StreamQueryOptions;
  /** Set for an artifact synapse (btauth/1 only). */
  artifact?: ArtifactQueryOptions;
  /**
   * Called once every target's first request is signed and on its way (e.g. to start signing the
   * next query ahead with {@link Dendrite.presign} without delaying this one's signatures).
   */
  onSigned?: () => void;
}

/** A classified answer: core's `MinerResponse` plus the reason of a failure and the attempts made. */
export interface DendriteResponse<R = unknown> extends MinerResponse<R> {
  error?: string;
  /** The wire-error kind the axon answered with (core's catalogue), for non-2xx answers. */
  kind?: WireErrorKind;
  attempts: number;
}

class TooLarge extends Error {}

/** One prepared request: what goes on the wire. */
interface Prepared {
  protocol: WireProtocol;
  headers: Record<string, string>;
  body: string;
}

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
  private readonly protocol: DendriteProtocol;
  private readonly legacyUuid: string;
  /** Under `auto`: the axons (hotkey@ip:port) that answered like a Python v10 axon. */
  private readonly legacyAxons = new Set<string>();
  /** btauth/1 headers signed ahead (see {@link presign}), each used by at most one attempt. */
  private readonly presigned = new Map<string, { headers: Promise<Record<string, string>>; at: number }>();
  private readonly presignMaxAgeMs: number;
  private closed = false;

  constructor(private readonly options: DendriteOptions) {
    this.timeoutMs = checkPositiveInt('timeoutMs', options.timeoutMs ?? 12_000);
    this.retries = checkPositiveInt('retries', options.retries ?? 0, true);
    this.connections = checkPositiveInt('connectionsPerAxon', options.connectionsPerAxon ?? 2);
    this.maxResponseBytes = checkPositiveInt('maxResponseBytes', options.maxResponseBytes ?? 1 << 20);
    this.maxPools = checkPositiveInt('maxPools', options.maxPools ?? 1024);
    this.semaphore = new Semaphore(checkPositiveInt('concurrency', options.concurrency ?? 256));
    this.protocol = checkProtocol(options.protocol ?? 'btauth');
    this.legacyUuid = options.legacy?.uuid ?? randomUUID();
    this.presignMaxAgeMs = checkPositiveInt('presignMaxAgeMs', options.presignMaxAgeMs ?? 2_000);
  }

  /**
   * Sign the btauth/1 requests of a coming query now (e.g. while earlier requests wait for their
   * miners), so that query sends at once. A signature made here is used by the first attempt of the
   * next query that sends exactly this request to the target within `presignMaxAgeMs`, and never
   * again: retries and later queries sign afresh, so nothing is ever replayed. Legacy v10 requests
   * are not signed ahead. Resolves with how many signatures were made.
   */
  async presign(
    targets: readonly MinerTarget[],
    synapse: string,
    request: unknown,
    options: Pick<QueryOptions, 'protocol'> = {},
  ): Promise<number> {
    if (this.closed) return 0;
    const protocol = options.protocol ?? this.protocol;
    if (protocol === 'legacy') return 0;
    this.dropStalePresigned();
    const call = this.call(synapse, request);
    const made: Promise<unknown>[] = [];
    for (const target of targets) {
      if (protocol === 'auto' && this.legacyAxons.has(axonKey(target))) continue;
      const key = presignKey(target, call);
      if (this.presigned.has(key)) continue;
      // A signer that throws synchronously becomes a rejected promise here.
      const headers = new Promise<Record<string, string>>((resolve) =>
        resolve(
          this.options.sign({ method: 'POST', target: call.path, body: call.body, receiver: target.hotkey }),
        ),
      );
      // A failed signature is only dropped here; the query then signs (and reports) it itself.
      headers.catch(() => this.presigned.delete(key));
      this.presigned.set(key, { headers, at: performance.now() });
      made.push(headers);
    }
    const results = await Promise.allSettled(made);
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  /** Signatures made ahead and not used yet (for tests and metrics). */
  get presignedCount(): number {
    this.dropStalePresigned();
    return this.presigned.size;
  }

  private dropStalePresigned(): void {
    const oldest = performance.now() - this.presignMaxAgeMs;
    for (const [key, entry] of this.presigned) if (entry.at < oldest) this.presigned.delete(key);
  }

  /** Takes (at most once) a fresh presigned header set for this exact request. */
  private takePresigned(target: MinerTarget, call: Call): Promise<Record<string, string>> | undefined {
    if (this.presigned.size === 0) return undefined;
    const key = presignKey(target, call);
    const entry = this.presigned.get(key);
    if (!entry) return undefined;
    this.presigned.delete(key);
    return performance.now() - entry.at <= this.presignMaxAgeMs ? entry.headers : undefined;
  }

  private call(synapse: string, request: unknown): Call {
    const body = JSON.stringify(request);
    const path = `/${encodeURIComponent(synapse)}`;
    return {
      synapse,
      fields: request,
      body,
      path,
      digest: createHash('sha256').update(`${path}\n${body}`).digest('base64'),
    };
  }

  /** Query every target with the same request; one classified response per target, in order. */
  async query<R = unknown>(
    targets: readonly MinerTarget[],
    synapse: string,
    request: unknown,
    options: QueryOptions = {},
  ): Promise<DendriteResponse<R>[]> {
    if (this.closed) throw new Error('dendrite is closed; create a new Dendrite');
    if (options.protocol !== undefined) checkProtocol(options.protocol);
    if (options.artifact) {
      artifactDefinition(options.artifact.definition);
      if ((options.protocol ?? this.protocol) !== 'btauth')
        throw new Error(
          `synapse ${synapse} answers with an artifact, which only btauth/1 carries; query it with protocol btauth`,
        );
      for (const [hotkey, hash] of Object.entries(options.artifact.expected)) {
        try {
          new ArtifactReceiver(options.artifact.definition, hash);
        } catch (err) {
          throw new Error(`expected ${synapse} artifact hash of ${hotkey}: ${(err as Error).message}`);
        }
      }
    }
    const call = this.call(synapse, request);
    const onSigned = options.onSigned;
    if (onSigned) {
      let left = targets.length;
      if (left === 0) onSigned();
      call.onPrepared = () => {
        if (--left === 0) onSigned();
      };
    }
    const pending: Promise<DendriteResponse<R>>[] = [];
    for (let i = 0; i < targets.length; i++) {
      pending.push(this.queryOne<R>(targets[i]!, call, options));
      // Signing is CPU work: yield to the event loop every few requests so the ones already signed
      // go out on the wire while the rest are signed, instead of all waiting for the last signature.
      if (i % DISPATCH_CHUNK === DISPATCH_CHUNK - 1 && i < targets.length - 1) await yieldToIo();
    }
    return Promise.all(pending);
  }

  /** Close every pooled connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.presigned.clear();
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
    call: Call,
    options: QueryOptions,
  ): Promise<DendriteResponse<R>> {
    const retries = options.retries ?? this.retries;
    const protocol = options.protocol ?? this.protocol;
    const axon = axonKey(target);
    if (options.artifact && options.artifact.expected[target.hotkey] === undefined) {
      // Nothing to accept from this miner (no commitment): do not ask it at all.
      call.onPrepared?.();
      return {
        uid: target.uid,
        hotkey: target.hotkey,
        attempts: 0,
        outcome: 'invalid_response',
        latencyMs: 0,
        error: `no expected ${call.synapse} artifact hash for ${target.hotkey}`,
        artifact: { bytes: 0, rejection: 'no_expected_hash' },
      };
    }
    let last: DendriteResponse<R> | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const wire: WireProtocol =
        protocol === 'auto' ? (this.legacyAxons.has(axon) ? 'legacy' : 'btauth') : protocol;
      const { response, legacyHint } = await this.attempt<R>(target, call, options, wire, attempt);
      last = response;
      if (protocol === 'auto' && wire === 'btauth' && legacyHint) {
        // A Python axon refused a request it cannot read: speak v10 to it from now on, and now.
        this.legacyAxons.add(axon);
        last = (await this.attempt<R>(target, call, options, 'legacy', attempt + 1)).response;
      }
      if (!isRetryable(last.outcome, last.status, last.kind)) break;
    }
    return last!;
  }

  private async prepare(
    target: MinerTarget,
    call: Call,
    wire: WireProtocol,
    timeoutMs: number,
    options: QueryOptions,
    firstAttempt: boolean,
  ): Promise<Prepared> {
    if (wire === 'btauth') {
      const ahead = firstAttempt ? this.takePresigned(target, call) : undefined;
      if (ahead) {
        const headers = await ahead.catch(() => undefined);
        if (headers) return { protocol: wire, headers, body: call.body };
      }
      const headers = await this.options.sign({
        method: 'POST',
        target: call.path,
        body: call.body,
        receiver: target.hotkey,
      });
      return { protocol: wire, headers, body: call.body };
    }
    const signer = this.options.legacy?.signer ?? this.options.sign.hotkey;
    if (!signer) {
      throw new Error(
        'legacy v10 needs the hotkey itself: pass DendriteOptions.legacy.signer, or sign with btauthSigner(hotkey)',
      );
    }
    if (call.fields === null || typeof call.fields !== 'object' || Array.isArray(call.fields)) {
      throw new Error(`a legacy v10 ${call.synapse} request must be a JSON object (the synapse's fields)`);
    }
    const { headers, body } = await buildLegacyRequest({
      signer,
      synapseName: call.synapse,
      axon: { ip: target.ip, port: target.port, hotkey: target.hotkey },
      dendrite: { ip: this.options.legacy?.ip ?? '0.0.0.0', uuid: this.legacyUuid },
      timeout: timeoutMs / 1000,
      fields: call.fields as Record<string, unknown>,
      ...(options.legacy?.requiredHashFields
        ? { requiredHashFields: options.legacy.requiredHashFields }
        : {}),
      ...(options.legacy?.requiredFieldNames
        ? { requiredFieldNames: options.legacy.requiredFieldNames }
        : {}),
    });
    return { protocol: wire, headers, body };
  }

  private async attempt<R>(
    target: MinerTarget,
    call: Call,
    options: QueryOptions,
    wire: WireProtocol,
    attempts: number,
  ): Promise<{ response: DendriteResponse<R>; legacyHint: boolean }> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const base = { uid: target.uid, hotkey: target.hotkey, attempts };
    await this.semaphore.acquire();
    let prepared: Prepared;
    try {
      prepared = await this.prepare(target, call, wire, timeoutMs, options, attempts === 1);
      if (attempts === 1) call.onPrepared?.();
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
    let cut: StreamCut | undefined;
    const timer = setTimeout(() => {
      deadlinePassed = true;
      cut ??= 'total_deadline';
      controller.abort();
    }, timeoutMs);
    const stream = options.stream;
    const firstChunkMs = stream?.firstChunkTimeoutMs;
    let firstTimer: ReturnType<typeof setTimeout> | undefined;
    if (stream && firstChunkMs !== undefined && firstChunkMs < timeoutMs) {
      firstTimer = setTimeout(() => {
        cut ??= 'first_chunk_deadline';
        controller.abort();
      }, firstChunkMs);
    }
    const latency = () => Math.round((performance.now() - started) * 1000) / 1000;
    const progress: StreamProgress = { chunks: [], bytes: 0 };
    let status: number | undefined;
    try {
      const res = await this.pool(target).request({
        method: 'POST',
        path: call.path,
        headers: { ...prepared.headers, 'content-type': 'application/json' },
        body: prepared.body,
        signal: controller.signal,
      });
      status = res.statusCode;
      const ok = status >= 200 && status < 300;
      if (options.artifact && ok) {
        const received = await readArtifact(res, options.artifact, target.hotkey);
        const out: DendriteResponse<R> = {
          ...base,
          outcome: received.response === undefined ? 'invalid_response' : 'ok',
          status: res.statusCode,
          latencyMs: latency(),
          artifact: received.receipt,
        };
        if (received.response !== undefined) out.response = received.response as R;
        if (received.error !== undefined) out.error = received.error;
        return { response: out, legacyHint: false };
      }
      if (stream && ok) {
        const verdict = await this.readStream(res, progress, stream, wire, call.synapse, options, () =>
          clearTimeout(firstTimer),
        );
        const out: DendriteResponse<R> = {
          ...base,
          ...verdictFields<R>(verdict),
          status: res.statusCode,
          latencyMs: latency(),
          stream: streamTiming(progress, started, performance.now()),
        };
        return { response: out, legacyHint: false };
      }
      clearTimeout(firstTimer);
      let text: string;
      try {
        text = await readCapped(res.body, this.maxResponseBytes);
      } catch (err) {
        if (err instanceof TooLarge) {
          const out: DendriteResponse<R> = {
            ...base,
            outcome: 'invalid_response',
            status: res.statusCode,
            latencyMs: latency(),
            error: `response larger than ${this.maxResponseBytes} bytes`,
          };
          return { response: out, legacyHint: false };
        }
        throw err;
      }
      const validate = options.validate ?? (() => undefined);
      const verdict =
        wire === 'legacy'
          ? classifyLegacyResponse(res.statusCode, res.headers, text, {
              synapse: call.synapse,
              validate,
              ...(options.legacy?.responseFields ? { responseFields: options.legacy.responseFields } : {}),
            })
          : classifyResponse(res.statusCode, text, validate);
      const out: DendriteResponse<R> = {
        ...base,
        ...verdictFields<R>(verdict),
        status: res.statusCode,
        latencyMs: latency(),
      };
      return { response: out, legacyHint: wire === 'btauth' && looksLikeLegacyAxon(res.statusCode, text) };
    } catch (err) {
      if (stream && cut !== undefined) {
        // A stalled or endless stream, cut at its deadline: a timeout, with what arrived before.
        progress.cut = cut;
        const out: DendriteResponse<R> = {
          ...base,
          outcome: 'timeout',
          ...(status === undefined ? {} : { status }),
          latencyMs: latency(),
          error:
            cut === 'first_chunk_deadline'
              ? `no stream chunk within ${firstChunkMs} ms`
              : `stream not finished within the ${timeoutMs} ms timeout`,
          stream: streamTiming(progress, started, performance.now()),
        };
        return { response: out, legacyHint: false };
      }
      const { outcome, error } = classifyNetworkError(err, deadlinePassed || cut !== undefined);
      return {
        response: { ...base, outcome: outcome as QueryOutcome, latencyMs: latency(), error },
        legacyHint: false,
      };
    } finally {
      clearTimeout(timer);
      clearTimeout(firstTimer);
      this.semaphore.release();
    }
  }

  /** Reads a 2xx answer to a streaming synapse; deadline aborts surface as throws (see attempt). */
  private async readStream(
    res: Awaited<ReturnType<Pool['request']>>,
    progress: StreamProgress,
    stream: StreamQueryOptions,
    wire: WireProtocol,
    synapse: string,
    options: QueryOptions,
    onFirstChunk: () => void,
  ): Promise<Verdict> {
    const contentType = String(res.headers['content-type'] ?? '');
    if (wire === 'legacy') {
      // The SDK's StreamingSynapse answer: 200, text/event-stream, the synapse's bt_header_* headers.
      const answer = readLegacyAnswer(res.statusCode, res.headers, '', { synapse, streaming: true });
      if (answer.kind !== 'served') {
        discard(res.body);
        if (answer.kind === 'mismatch') return { outcome: 'protocol_mismatch', error: answer.reason };
        return {
          outcome: classifyWireAnswer(answer.status).outcome,
          error: `v10 axon status ${answer.status}: ${answer.message.slice(0, 300)}`,
        };
      }
    } else if (!contentType.toLowerCase().startsWith('text/event-stream')) {
      discard(res.body);
      return {
        outcome: 'invalid_response',
        error: `a streaming synapse answered with content-type "${contentType}", not text/event-stream`,
      };
    }
    await readEventStream(res.body, progress, {
      maxBytes: stream.maxBytes ?? this.maxResponseBytes,
      checkChunk: stream.checkChunk,
      onFirstChunk,
    });
    if (progress.cut !== undefined)
      return { outcome: 'invalid_response', error: progress.error ?? progress.cut };
    let assembled: unknown;
    try {
      assembled = stream.assemble(progress.chunks);
    } catch (err) {
      return {
        outcome: 'invalid_response',
        error: `assembling the chunks failed: ${(err as Error).message}`,
      };
    }
    const problem = (options.validate ?? (() => undefined))(assembled);
    if (problem !== undefined) return { outcome: 'invalid_response', error: problem };
    return { outcome: 'ok', response: assembled };
  }
}

function axonKey(target: MinerTarget): string {
  return `${target.hotkey}@${target.ip}:${target.port}`;
}

/** What a presigned signature is bound to: the receiver and its address, the path and the body. */
function presignKey(target: MinerTarget, call: Call): string {
  return `${axonKey(target)} ${call.digest}`;
}

/** The request every target of one query gets. */
interface Call {
  synapse: string;
  /** The request as an object (legacy v10 sends it inside the synapse body). */
  fields: unknown;
  /** The request as JSON (btauth/1 body). */
  body: string;
  path: string;
  /** sha256 of path and body: what a presigned signature is looked up by. */
  digest: string;
  /** Counts first attempts signed, for {@link QueryOptions.onSigned}. */
  onPrepared?: () => void;
}

/**
 * Reads a 2xx answer to an artifact synapse through core's `ArtifactReceiver`: stops reading as soon
 * as the size cap is crossed, then checks the hash against the expected one. Deadline aborts surface
 * as throws (see attempt).
 */
async function readArtifact(
  res: Awaited<ReturnType<Pool['request']>>,
  artifact: ArtifactQueryOptions,
  hotkey: string,
): Promise<{ response?: Uint8Array; error?: string; receipt: ArtifactReceipt }> {
  const def = artifactDefinition(artifact.definition);
  const contentType = String(res.headers['content-type'] ?? '');
  if (!contentType.toLowerCase().startsWith(def.contentType)) {
    discard(res.body);
    return {
      error: `an artifact synapse answered with content-type "${contentType}", not ${def.contentType}`,
      receipt: { bytes: 0 },
    };
  }
  const receiver = new ArtifactReceiver(def, artifact.expected[hotkey]!);
  for await (const chunk of res.body) {
    if (!receiver.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
      discard(res.body);
      break;
    }
  }
  const check = receiver.finish();
  if (check.ok) return { response: check.bytes, receipt: { bytes: check.bytes.length } };
  return { error: check.message, receipt: { bytes: check.received, rejection: check.reason } };
}

/** Drops a body we will not read (its abort error is expected, not unhandled). */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => undefined);
  body.destroy();
}

function checkProtocol(protocol: DendriteProtocol): DendriteProtocol {
  if (!DENDRITE_PROTOCOLS.includes(protocol)) {
    throw new RangeError(
      `dendrite protocol ${JSON.stringify(protocol)} is invalid; use btauth, legacy or auto`,
    );
  }
  return protocol;
}

function verdictFields<R>(
  verdict: Verdict,
): Pick<DendriteResponse<R>, 'outcome' | 'response' | 'error' | 'kind'> {
  const out: Pick<DendriteResponse<R>, 'outcome' | 'response' | 'error' | 'kind'> = {
    outcome: verdict.outcome,
  };
  if (verdict.outcome === 'ok') out.response = verdict.response as R;
  if (verdict.error !== undefined) out.error = verdict.error;
  if (verdict.kind !== undefined) out.kind = verdict.kind;
  return out;
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
