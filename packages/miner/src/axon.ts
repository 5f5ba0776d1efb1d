/**
 * The axon: a Fastify server answering `POST /<SynapseName>` for a subnet plugin. A request passes
 * Fastify's lifecycle once, in order, and every failure is a kind of core's wire-error catalogue:
 *
 *   transport   header/body timeouts for slow senders (408), a lingering close after 413   ./axon/transport.ts
 *   parse       raw body bytes kept as they are (413 PayloadTooLarge)
 *   onRequest   open the call; refuse new work while draining (503 ShuttingDown)
 *   preValidation  [legacy v10 plugin: verify bt_header_*, strip the synapse base fields]
 *               authenticate: btauth/1 + replay store (401, 503 Unavailable)   ./axon/authenticate.ts
 *               decode the JSON body (400)                                       ./axon/body.ts
 *   validation  the synapse request schema (400 InvalidRequest with `field`)     ./axon/body.ts
 *   preHandler  access policy (403 Denied/NotRegistered/NoValidatorPermit)      ./axon/access.ts
 *               admission: deadline + stake-priority gate (503 Overloaded)      ./axon/admit.ts
 *   handler     plugin forward under the deadline, response schema (408, 500)   ./axon/handler.ts
 *   onSend      [legacy v10 plugin: reshape the answer]; `connection: close` while draining;
 *               metrics and totals (so a 499 to a caller already gone counts)   ./axon/observe.ts
 *
 * One error handler (./axon/errors.ts) turns whatever was thrown into the catalogue answer.
 */
import {
  type AnySubnetPlugin,
  type LegacyNonceStore,
  MemoryLegacyNonceStore,
  MemoryReplayStore,
  type ReplayStore,
} from '@subnetkit/core';
import type { InferenceMetrics } from '@subnetkit/inference';
import { createMetricsRegistry } from '@subnetkit/metrics';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { createAccessHook } from './axon/access.js';
import { createAdmitHook } from './axon/admit.js';
import { createAuthenticate } from './axon/authenticate.js';
import { decodeBody, schemaValidator } from './axon/body.js';
import { openCall } from './axon/call.js';
import { createDrain } from './axon/draining.js';
import { createErrorHandler, createNotFoundHandler } from './axon/errors.js';
import { createSynapseHandler } from './axon/handler.js';
import { legacyV10 } from './axon/legacy-v10.js';
import { type AxonStats, createRequestObserver } from './axon/observe.js';
import { serviceRoutes } from './axon/service-routes.js';
import { lingerOnTooLarge, type TransportLimits, transportServerOptions } from './axon/transport.js';
import type { NeuronLookup } from './metagraph.js';
import { createMinerMetrics, type MinerMetrics } from './metrics.js';
import { type AccessPolicy, createAccessCheck } from './policy.js';
import { PriorityGate } from './priority-gate.js';
import { type BatchOptions, createRunners } from './runner.js';

/** Kept for compatibility: the type lives in core's plugin types. */
export type { AnySubnetPlugin } from '@subnetkit/core';
export type { AxonStats } from './axon/observe.js';

/** Limits and access rules of an axon (slow-sender timeouts: ./axon/transport.ts). */
export interface AxonPolicy extends AccessPolicy, TransportLimits {
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
   * The `subnetkit_inference_*` metrics (from `registerInferenceMetrics` on `registry`): every
   * synapse's batcher is observed under `model=<synapse>`.
   */
  inferenceMetrics?: InferenceMetrics;
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
  /**
   * Per synapse, the Python class's `required_hash_fields`, in declared order (default: each
   * synapse's `requiredHashFields` in the plugin, else none).
   */
  requiredHashFields?: Record<string, readonly string[]>;
  /** Last nonce per `hotkey:uuid` (default in memory). */
  nonceStore?: LegacyNonceStore;
  /**
   * Serve legacy v10 requests only, like a Python SDK axon: btauth/1 requests get 401 LegacyAuth
   * (which a validator on `--protocol auto` takes as "speak v10 to me"). Default false.
   */
  only?: boolean;
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

const DEFAULT_TIMEOUT_MS = 12_000;

/** Each synapse's `requiredHashFields` as the plugin declares them. */
function pluginHashFields(plugin: AnySubnetPlugin): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const name of plugin.synapseNames) {
    const fields = plugin.synapses[name]?.requiredHashFields;
    if (fields) out[name] = fields;
  }
  return out;
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
  const bodyLimit = policy.bodyLimit ?? 1024 * 1024;
  const shutdown = new AbortController();
  const runners = createRunners(plugin, options.model, log, shutdown.signal, options.batch, {
    onInference: (synapse, seconds) => metrics.inferenceSeconds.labels({ synapse }).observe(seconds),
    onBatch: (synapse, size) => metrics.batchSize.labels({ synapse }).observe(size),
    ...(options.inferenceMetrics
      ? { onBatcher: (synapse, batcher) => options.inferenceMetrics!.observeBatcher(synapse, batcher) }
      : {}),
  });
  const observer = createRequestObserver(metrics, () => gate.stats());
  const drain = createDrain();

  // Fastify's own 503 while closing would not be a catalogue answer: the drain hooks answer instead.
  const app = Fastify({
    bodyLimit,
    logger: false,
    return503OnClosing: false,
    ...transportServerOptions(policy),
  }) as unknown as AxonServer;
  app.axon = { hotkey, netuid, registry, metrics, stats: observer.stats };
  // Keep the raw bytes: the signature covers them exactly, so nothing may re-encode the body first.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.decorateRequest('synapseCall', null as never);
  app.setErrorHandler(createErrorHandler({ hotkey, bodyLimit, subnet: plugin.name, log }));
  app.setNotFoundHandler(createNotFoundHandler(plugin.synapseNames, hotkey));
  app.addHook('onRequest', observer.onRequest);
  app.addHook('onSend', lingerOnTooLarge);
  app.addHook('onSend', drain.closeConnections);
  app.addHook('onSend', observer.onSend);
  app.addHook('preClose', drain.preClose);
  app.addHook('onClose', async () => {
    shutdown.abort(new Error('miner is shutting down'));
    await Promise.all([...runners.values()].map((r) => r.close()));
  });
  serviceRoutes(app, { plugin, hotkey, netuid, registry, gate: () => gate.stats(), health: options.health });

  const legacy = options.legacy === true ? {} : options.legacy === false ? undefined : options.legacy;
  const timeoutMs = (synapse: string) =>
    policy.timeoutMs ?? plugin.synapses[synapse]?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  app.register(async (synapses) => {
    synapses.addHook('onRequest', openCall);
    synapses.addHook('onRequest', drain.refuseNewWork);
    if (legacy) {
      await synapses.register(legacyV10, {
        receiver: hotkey,
        nonceStore: legacy.nonceStore ?? new MemoryLegacyNonceStore(),
        requiredHashFields: { ...pluginHashFields(plugin), ...legacy.requiredHashFields },
        ...(legacy.only ? { only: true } : {}),
        log,
        onFailure: () => metrics.authFailures.inc({ kind: 'Legacy' }),
      });
    }
    synapses.addHook(
      'preValidation',
      createAuthenticate({
        receiver: hotkey,
        replayStore: options.replayStore ?? new MemoryReplayStore(),
        ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
        ...(options.maxFutureMs === undefined ? {} : { maxFutureMs: options.maxFutureMs }),
        log,
        onFailure: (kind) => metrics.authFailures.inc({ kind }),
      }),
    );
    synapses.addHook('preValidation', decodeBody);
    synapses.addHook(
      'preHandler',
      createAccessHook(
        createAccessCheck(policy, options.metagraph, netuid),
        (reason) => metrics.forbidden.inc({ reason }),
        (synapse) => plugin.synapses[synapse]?.access,
      ),
    );
    synapses.addHook('preHandler', createAdmitHook(gate, timeoutMs));
    for (const name of plugin.synapseNames) {
      const def = plugin.synapses[name]!;
      synapses.post(`/${name}`, {
        config: { synapse: name },
        schema: { body: def.request },
        validatorCompiler: ({ schema }) => schemaValidator(schema as typeof def.request),
        handler: createSynapseHandler({
          synapse: name,
          subnet: plugin.name,
          runner: runners.get(name)!,
          response: def.response,
          hotkey,
          log,
          ...(def.stream ? { stream: def.stream } : {}),
          ...(def.artifact ? { artifact: def.artifact } : {}),
        }),
      });
    }
  });
  return app;
}
