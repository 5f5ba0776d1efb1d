/**
 * The axon: a Fastify server answering `POST /<SynapseName>` for a subnet plugin. Each request
 * goes through, in order: body limit (413), btauth/1 verification over the raw body bytes (401),
 * the blacklist (403), JSON + schema validation (400), the stake-priority gate (503 when shed),
 * then the plugin's forward (through the micro-batcher when it has `forwardBatch`) under the
 * synapse timeout (408), and the response schema check (500 when the handler returns garbage).
 */
import { randomUUID } from 'node:crypto';
import type { SubnetPlugin } from '@subnetkit/core';
import {
  type LegacyNonceStore,
  legacyFailure,
  MemoryLegacyNonceStore,
  MemoryReplayStore,
  type ReplayStore,
  verifyLegacyRequest,
  verifyRequest,
} from '@subnetkit/core';
import { createMetricsRegistry } from '@subnetkit/metrics';
import { BatcherClosedError, QueueFullError } from '@subnetkit/inference';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { buildOpenApi } from './openapi.js';
import { createMinerMetrics, type MinerMetrics } from './metrics.js';
import type { NeuronLookup } from './metagraph.js';
import { type AccessPolicy, createAccessCheck } from './policy.js';
import { OverloadedError, PriorityGate } from './priority-gate.js';
import { type BatchOptions, createRunners } from './runner.js';
import { ClientGone, Deadline, RequestTimeout, raceCancel } from './deadline.js';

/** Any subnet plugin, whatever its synapses, model and truth types. */
// biome-ignore lint/suspicious/noExplicitAny: the axon serves plugins of every shape; types are checked at the schema level.
export type AnySubnetPlugin = SubnetPlugin<any, any, any>;

/** Limits and access rules of an axon. */
export interface AxonPolicy extends AccessPolicy {
  /** Requests running at once (default 32). */
  maxConcurrency?: number;
  /** Requests waiting for a slot before the lowest-stake one is shed with 503 (default 256). */
  maxQueue?: number;
  /** Largest accepted body in bytes (default 1 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /**
   * Per-request timeout in ms, overriding each synapse's `timeoutMs` (default: the synapse's
   * `timeoutMs`, else 12 000). Past it the caller gets 408 and the handler's signal aborts.
   */
  timeoutMs?: number;
}

/** Options of {@link createAxon}. */
export interface AxonOptions<Model = unknown> {
  /** The subnet plugin whose synapses to serve. */
  plugin: AnySubnetPlugin;
  /** The model returned by the plugin's `miner.setup`. */
  model: Model;
  /** This miner's hotkey (SS58 or a keyring pair); requests must be addressed to it. */
  hotkey: string | { readonly address: string };
  netuid: number;
  /** Who is registered, with what stake and permit (a {@link MetagraphCache} in production). */
  metagraph: NeuronLookup;
  /** btauth/1 replay store (default: in-memory; use {@link RedisReplayStore} across processes). */
  replayStore?: ReplayStore;
  policy?: AxonPolicy;
  /** Micro-batching for plugins with `forwardBatch`. */
  batch?: BatchOptions;
  /**
   * Also accept the legacy v10 (bittensor <= 10) `bt_header_*` signed headers, for validators that
   * have not moved to btauth/1 yet (`true`, or settings). Default off.
   */
  legacy?: boolean | LegacyOptions;
  /** btauth/1 freshness window, ms in the past (default 10 000). */
  maxAgeMs?: number;
  /** btauth/1 tolerated clock skew, ms in the future (default 2 000). */
  maxFutureMs?: number;
  /** Metrics registry (default: a fresh one with process metrics). */
  registry?: Registry;
  /** Logger (default: pino at info). */
  logger?: Logger;
  /** Extra fields for /healthz; `ok: false` makes it answer 503. */
  health?: () => { ok: boolean; [detail: string]: unknown };
}

/** Settings for legacy v10 (axon/dendrite) requests. */
export interface LegacyOptions {
  /** Per synapse, the Python class's `required_hash_fields`, in declared order (default none). */
  requiredHashFields?: Record<string, readonly string[]>;
  /** Last nonce per `hotkey:uuid` (default in memory). */
  nonceStore?: LegacyNonceStore;
}

/** Fields every legacy v10 synapse body carries besides the subnet's own fields. */
const LEGACY_BASE_FIELDS = [
  'name',
  'timeout',
  'total_size',
  'header_size',
  'dendrite',
  'axon',
  'computed_body_hash',
  'required_hash_fields',
];

/** Counters for the per-minute log line and tests. */
export interface AxonStats {
  requests: number;
  errors: number;
  byStatus: Record<number, number>;
  running: number;
  waiting: number;
  shed: number;
}

/** Controls the axon adds to its Fastify instance. */
export interface AxonControls {
  readonly hotkey: string;
  readonly netuid: number;
  readonly registry: Registry;
  readonly metrics: MinerMetrics;
  /** Totals since start. */
  stats(): AxonStats;
}

/** The Fastify instance returned by {@link createAxon}, with the axon's controls attached. */
export type AxonServer = FastifyInstance & { axon: AxonControls };

/** A failure answer: status plus the JSON body `{ error, message, field? }`. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 12_000;
const EMPTY = new Uint8Array(0);

function describeSchemaError(check: TypeCheck<TSchema>, value: unknown): { field: string; message: string } {
  const first = check.Errors(value).First();
  if (!first) return { field: '', message: 'does not match the schema' };
  return { field: first.path || '/', message: first.message };
}

function isLegacyRequest(headers: FastifyRequest['headers']): boolean {
  return (
    headers.bt_header_dendrite_signature !== undefined || headers.bt_header_dendrite_hotkey !== undefined
  );
}

/**
 * Creates the axon (not yet listening): routes for every synapse, `/openapi.json`, `/metrics`,
 * `/healthz`. Call `app.listen({ port, host })` to serve, or `app.inject(...)` in tests, and
 * `app.close()` to drain in-flight requests and stop.
 */
export function createAxon<Model>(options: AxonOptions<Model>): AxonServer {
  const { plugin, netuid } = options;
  const hotkey = typeof options.hotkey === 'string' ? options.hotkey : options.hotkey.address;
  const policy = options.policy ?? {};
  const log = options.logger ?? pino({ name: 'axon' });
  const registry = options.registry ?? createMetricsRegistry({ defaultLabels: { role: 'miner' } });
  const gate = new PriorityGate({
    maxConcurrency: policy.maxConcurrency ?? 32,
    maxQueue: policy.maxQueue ?? 256,
  });
  const metrics = createMinerMetrics(registry, () => gate.stats());
  const replayStore = options.replayStore ?? new MemoryReplayStore();
  const bodyLimit = policy.bodyLimit ?? 1024 * 1024;
  const checkAccess = createAccessCheck(policy, options.metagraph, netuid);
  const shutdown = new AbortController();
  const runners = createRunners(plugin, options.model, log, shutdown.signal, options.batch, {
    onInference: (synapse, seconds) => metrics.inferenceSeconds.labels({ synapse }).observe(seconds),
    onBatch: (synapse, size) => metrics.batchSize.labels({ synapse }).observe(size),
  });
  const verifyOptions = {
    receiver: hotkey,
    replayStore,
    ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
    ...(options.maxFutureMs === undefined ? {} : { maxFutureMs: options.maxFutureMs }),
  };
  const legacy: LegacyOptions | undefined =
    options.legacy === true ? {} : options.legacy === false ? undefined : options.legacy;
  const legacyNonces = legacy ? (legacy.nonceStore ?? new MemoryLegacyNonceStore()) : undefined;

  const synapses = new Map(
    plugin.synapseNames.map((name) => {
      const def = plugin.synapses[name]!;
      return [
        name,
        {
          request: TypeCompiler.Compile(def.request),
          response: TypeCompiler.Compile(def.response),
          timeoutMs: policy.timeoutMs ?? def.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        },
      ];
    }),
  );
  // Draining: answers sent while closing carry `connection: close`, so close() does not wait for
  // the idle timeout of every validator's keep-alive connection.
  let closing = false;
  const stats: AxonStats = { requests: 0, errors: 0, byStatus: {}, running: 0, waiting: 0, shed: 0 };

  const app = Fastify({ bodyLimit, logger: false, return503OnClosing: true }) as unknown as AxonServer;
  app.axon = {
    hotkey,
    netuid,
    registry,
    metrics,
    stats: () => {
      const g = gate.stats();
      return {
        ...stats,
        byStatus: { ...stats.byStatus },
        running: g.running,
        waiting: g.waiting,
        shed: g.shed,
      };
    },
  };

  // Keep the raw bytes: the signature covers them exactly, so nothing may re-encode the body first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const sendFailure = (reply: FastifyReply, failure: HttpFailure, legacyShape = false) => {
    if (closing) reply.header('connection', 'close');
    if (legacyShape) {
      const f = legacyFailure(failure.status, `${failure.kind}: ${failure.message}`);
      return reply.code(f.status).headers(f.headers).header('x-bittensor-hotkey', hotkey).send(f.body);
    }
    const body: Record<string, string> = { error: failure.kind, message: failure.message };
    if (failure.field !== undefined) body.field = failure.field;
    return reply.code(failure.status).header('x-bittensor-hotkey', hotkey).send(body);
  };

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendFailure(
        reply,
        new HttpFailure(413, 'PayloadTooLarge', `request body is over this miner's ${bodyLimit}-byte limit`),
      );
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return sendFailure(reply, new HttpFailure(err.statusCode, 'InvalidRequest', err.message));
    }
    const id = randomUUID();
    log.error({ err, id, url: request.url }, 'unhandled axon error');
    return sendFailure(
      reply,
      new HttpFailure(500, 'InternalError', `internal error #${id}; see the miner log`),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendFailure(
      reply,
      new HttpFailure(
        404,
        'UnknownSynapse',
        `no route ${request.method} ${request.url.split('?')[0]}; this miner serves POST ${plugin.synapseNames
          .map((s) => `/${s}`)
          .join(', ')} (see /openapi.json)`,
      ),
    ),
  );

  // Metric children are cached per label set: the label hashing showed up in the hot path.
  const requestCounters = new Map<string, { inc(): void }>();
  const latencyHistograms = new Map<string, { observe(v: number): void }>();
  app.addHook('onResponse', (request, reply, done) => {
    const synapse = (request.routeOptions.config as { synapse?: string }).synapse;
    const status = reply.statusCode;
    if (synapse !== undefined || status === 404) {
      // Only synapse routes and unknown paths count; /metrics, /healthz, /openapi.json do not.
      const label = synapse ?? 'unknown';
      stats.requests++;
      if (status >= 400) stats.errors++;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      const key = `${label} ${status}`;
      let counter = requestCounters.get(key);
      if (!counter) {
        counter = metrics.requests.labels({ synapse: label, status: String(status) });
        requestCounters.set(key, counter);
      }
      counter.inc();
      let histogram = latencyHistograms.get(label);
      if (!histogram) {
        histogram = metrics.latency.labels({ synapse: label });
        latencyHistograms.set(label, histogram);
      }
      histogram.observe(reply.elapsedTime / 1000);
    }
    done();
  });

  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  app.addHook('onClose', async () => {
    shutdown.abort(new Error('miner is shutting down'));
    await Promise.all([...runners.values()].map((r) => r.close()));
  });

  const openapi = buildOpenApi(plugin, { hotkey, netuid });
  app.get('/openapi.json', async () => openapi);
  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/healthz', async (_request, reply) => {
    const extra = options.health?.() ?? { ok: true };
    const g = gate.stats();
    const report = {
      ...extra,
      ok: extra.ok,
      hotkey,
      netuid,
      subnet: plugin.name,
      running: g.running,
      waiting: g.waiting,
    };
    return reply.code(report.ok ? 200 : 503).send(report);
  });

  /**
   * Runs a verification whose only possible throw is the replay / nonce store failing (e.g. Redis
   * down): that is the miner's fault, not the caller's, so it answers 503 and logs the cause.
   */
  async function storeCall<T>(verify: () => Promise<T>): Promise<T> {
    try {
      return await verify();
    } catch (err) {
      log.error({ err }, 'replay store failed while verifying a request; is Redis reachable?');
      throw new HttpFailure(
        503,
        'Unavailable',
        'the miner cannot check request replays right now (its replay store is down); retry later',
      );
    }
  }

  /** Verifies the caller; returns its hotkey and whether it spoke the legacy v10 scheme. */
  async function authenticate(
    request: FastifyRequest,
    raw: Uint8Array,
    synapseName: string,
  ): Promise<{ hotkey: string; legacy: boolean }> {
    if (legacy && legacyNonces && isLegacyRequest(request.headers)) {
      const result = await storeCall(() =>
        verifyLegacyRequest(request.headers, raw, {
          receiver: hotkey,
          nonceStore: legacyNonces,
          requiredHashFields: legacy.requiredHashFields?.[synapseName] ?? [],
        }),
      );
      if (!result.ok) {
        metrics.authFailures.inc({ kind: 'Legacy' });
        throw new HttpFailure(
          result.status,
          result.status === 400 ? 'InvalidRequest' : 'LegacyAuth',
          result.message,
        );
      }
      return { hotkey: result.hotkey, legacy: true };
    }
    const result = await storeCall(() =>
      verifyRequest(
        {
          method: request.method,
          target: request.raw.url ?? request.url,
          headers: request.headers,
          body: raw,
        },
        verifyOptions,
      ),
    );
    if (!result.ok) {
      metrics.authFailures.inc({ kind: result.kind });
      throw new HttpFailure(401, result.kind, result.message);
    }
    return { hotkey: result.hotkey, legacy: false };
  }

  for (const [name, synapse] of synapses) {
    const runner = runners.get(name)!;
    app.post(`/${name}`, { config: { synapse: name } }, async (request, reply) => {
      const started = performance.now();
      const body = request.body;
      const raw = body instanceof Uint8Array ? body : EMPTY;
      let release: (() => void) | undefined;
      const deadline = new Deadline(synapse.timeoutMs);
      // The response's 'close' before it finished means the client went away (the request's own
      // 'close' fires as soon as its body was read, so it cannot tell).
      const onClose = () => {
        if (!reply.raw.writableFinished) deadline.cancel(new ClientGone());
      };
      reply.raw.once('close', onClose);
      // Failures go back in the legacy shape too when the caller speaks legacy v10.
      let legacyCall = legacy !== undefined && isLegacyRequest(request.headers);
      try {
        const auth = await authenticate(request, raw, name);
        legacyCall = auth.legacy;
        const access = checkAccess(auth.hotkey);
        if (!access.ok) {
          metrics.forbidden.inc({ reason: access.reason });
          throw new HttpFailure(403, access.reason, access.message);
        }
        let value: unknown;
        try {
          value = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
        } catch {
          throw new HttpFailure(
            400,
            'InvalidRequest',
            `body is not valid JSON; send the ${name} request as a JSON object`,
          );
        }
        let legacyBody: Record<string, unknown> | undefined;
        if (legacyCall && value !== null && typeof value === 'object' && !Array.isArray(value)) {
          // A Python dendrite sends the whole synapse; validate and forward only the subnet's fields.
          legacyBody = value as Record<string, unknown>;
          value = Object.fromEntries(
            Object.entries(legacyBody).filter(([k]) => !LEGACY_BASE_FIELDS.includes(k)),
          );
        }
        if (!synapse.request.Check(value)) {
          const { field, message } = describeSchemaError(synapse.request, value);
          throw new HttpFailure(400, 'InvalidRequest', `field ${field}: ${message}`, field);
        }
        release = await gate.acquire(access.priority, deadline);
        const work = runner.run(value, access.caller, access.priority, deadline);
        // The slot is held until the plugin's work settles, even after a 408 (see runner.ts).
        const slot = release;
        release = undefined;
        work.then(slot, slot);
        const result = await raceCancel(work, deadline);
        if (!synapse.response.Check(result)) {
          const { field, message } = describeSchemaError(synapse.response, result);
          const id = randomUUID();
          log.error(
            { id, synapse: name, field, subnet: plugin.name },
            `subnet ${plugin.name} returned a ${name} response that does not match its schema (field ${field}: ${message}); fix miner.forward.${name}`,
          );
          throw new HttpFailure(
            500,
            'InternalError',
            `the ${name} handler returned an invalid response (#${id})`,
          );
        }
        const processTime = ((performance.now() - started) / 1000).toFixed(6);
        reply.code(200).header('x-bittensor-hotkey', hotkey).header('x-bittensor-process-time', processTime);
        if (closing) reply.header('connection', 'close');
        if (legacyBody) {
          // The Python dendrite reads the full synapse back and requires axon.status_code 200.
          const axonInfo = {
            ...((legacyBody.axon as Record<string, unknown> | null) ?? {}),
            status_code: 200,
            status_message: 'Success',
            process_time: Number(processTime),
            hotkey,
          };
          reply
            .header('bt_header_axon_status_code', '200')
            .header('bt_header_axon_status_message', 'Success')
            .header('bt_header_axon_process_time', processTime)
            .header('bt_header_axon_hotkey', hotkey);
          return reply
            .type('application/json')
            .send(JSON.stringify({ ...legacyBody, ...(result as object), axon: axonInfo }));
        }
        return reply.type('application/json').send(JSON.stringify(result));
      } catch (err) {
        return sendFailure(reply, toFailure(err, name), legacyCall);
      } finally {
        deadline.dispose();
        reply.raw.off('close', onClose);
        release?.();
      }
    });
  }

  function toFailure(err: unknown, synapse: string): HttpFailure {
    if (err instanceof HttpFailure) return err;
    if (err instanceof RequestTimeout) {
      return new HttpFailure(408, 'Timeout', `${synapse} took longer than its ${err.timeoutMs} ms timeout`);
    }
    if (err instanceof OverloadedError || err instanceof QueueFullError) {
      return new HttpFailure(503, 'Overloaded', err.message);
    }
    if (err instanceof BatcherClosedError) {
      return new HttpFailure(503, 'ShuttingDown', 'the miner is shutting down; retry another miner');
    }
    if (err instanceof ClientGone) return new HttpFailure(499, 'ClientClosed', err.message);
    const id = randomUUID();
    log.error(
      { err, id, synapse, subnet: plugin.name },
      `miner.forward.${synapse} of subnet ${plugin.name} threw`,
    );
    return new HttpFailure(
      500,
      'InternalError',
      `the ${synapse} handler failed (#${id}); the miner log has the cause`,
    );
  }

  return app;
}
