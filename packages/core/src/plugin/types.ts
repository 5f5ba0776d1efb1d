import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { ArtifactDefinition, ArtifactRejection } from './artifact.js';

/**
 * The signed-HTTP protocol a validator speaks to a subnet's miners: `btauth` (btauth/1, native) or
 * `legacy` (the Python SDK v10 axon/dendrite `bt_header_*` scheme, what most miners on real subnets
 * run today).
 */
export type WireProtocol = 'btauth' | 'legacy';

/**
 * A streaming synapse: the miner yields chunks (sent as `text/event-stream`, one `data:` JSON event
 * per chunk), the validator checks each chunk against `chunk` and, once the stream ends, builds the
 * result `reward` sees with `assemble` (checked against the synapse's `response` schema).
 */
export interface StreamDefinition<Chunk extends TSchema = TSchema> {
  /** TypeBox schema of one chunk. */
  chunk: Chunk;
  /** The whole answer from its chunks, in arrival order (must match the synapse's `response`). */
  assemble(chunks: Static<Chunk>[]): unknown;
  /** The validator cuts a stream whose first chunk takes longer than this (default: the synapse timeout). */
  firstChunkTimeoutMs?: number;
  /** The validator cuts a stream larger than this many bytes (default: the dendrite's response cap). */
  maxBytes?: number;
}

/**
 * One request/response pair a miner serves and a validator sends, named like a Bittensor synapse
 * class. The route on the miner's axon is `POST /<SynapseName>`.
 */
export interface SynapseDefinition<Req extends TObject = TObject, Res extends TObject = TObject> {
  /** TypeBox schema of the request body the validator sends. */
  request: Req;
  /** TypeBox schema of the response body the miner returns. */
  response: Res;
  /** One line for `/openapi.json` and docs. */
  description?: string;
  /** How long a validator waits for this synapse before counting a timeout (default 12 000 ms). */
  timeoutMs?: number;
  /** Makes the synapse streaming: the miner's forward returns an async iterable of chunks. */
  stream?: StreamDefinition;
  /**
   * Makes the synapse answer with a binary artifact instead of JSON: the miner's forward returns the
   * bytes (a `Uint8Array`, sent as `application/octet-stream`), the validator reads them under
   * `maxBytes` and accepts them only when their hash is the one the challenge expects from that miner
   * ({@link Challenge} `artifacts`, e.g. from its on-chain commitment); `reward` then gets the bytes as
   * the response. The `response` schema is not used on the wire (declare `Type.Object({})`).
   */
  artifact?: ArtifactDefinition;
  /** The protocol validators use for this synapse, overriding the plugin's `protocol`. */
  protocol?: WireProtocol;
  /**
   * Who may call this synapse (checked by the miner's axon after btauth/1 verified the caller):
   * `validators` (default): registered hotkeys with a validator permit, unless the operator allows
   * non-validators (`allowNonValidators`); `registered`: any hotkey registered on the netuid, e.g. so
   * miners can fetch each other's artifacts ({@link PeerArtifacts}). The operator's deny list still wins.
   */
  access?: SynapseAccess;
  /**
   * The Python synapse class's `required_hash_fields`, in declared order: the request fields a legacy
   * v10 body hash covers (both sides must agree). Default none.
   */
  requiredHashFields?: readonly string[];
}

/** Who may call a synapse: see {@link SynapseDefinition.access}. */
export type SynapseAccess = 'validators' | 'registered';

/** The synapses of a subnet, keyed by synapse name. */
export type SynapseMap = Record<string, SynapseDefinition>;

/** The decoded request type of synapse `K`. */
export type RequestOf<S extends SynapseMap, K extends keyof S> = Static<S[K]['request']>;
/** The decoded response type of synapse `K` (the bytes for an artifact synapse). */
export type ResponseOf<S extends SynapseMap, K extends keyof S> = S[K] extends {
  artifact: ArtifactDefinition;
}
  ? Uint8Array
  : Static<S[K]['response']>;
/** The decoded chunk type of streaming synapse `K` (`never` for a synapse that does not stream). */
export type ChunkOf<S extends SynapseMap, K extends keyof S> = S[K] extends {
  stream: StreamDefinition<infer C>;
}
  ? Static<C>
  : never;

/**
 * A structured logger. pino's `Logger` satisfies it; core depends on no logging library so that
 * subnet plugins stay testable with a plain object.
 */
export interface PluginLogger {
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

/** What a miner's `setup` receives: where to keep its model and how to report progress. */
/** One hotkey's commitment on the subnet (`Commitments.CommitmentOf`), as plugins read it. */
export interface PluginCommitment {
  hotkey: string;
  /** Block the commitment was made in. */
  block: number;
  /** The committed bytes (e.g. a 32-byte content hash). */
  data: Uint8Array;
}

/**
 * What a plugin may read from the chain of its subnet, for protocols that live partly on chain
 * (commit a hash before serving the bytes, weight by consensus). Given to the plugin only when the
 * runner is connected to a chain.
 */
export interface SubnetChainView {
  readonly netuid: number;
  /** The best block number. */
  block(): Promise<number>;
  /** Every hotkey's current commitment on the subnet (at `block` when given), oldest first. */
  commitments(opts?: { block?: number }): Promise<PluginCommitment[]>;
  /**
   * Each registered hotkey's incentive after the last epoch, in [0, 1] (the chain's consensus); at
   * `block` when given (state at that block: the incentive of the last epoch that ran by then).
   */
  incentive(opts?: { block?: number }): Promise<Record<string, number>>;
  /** The subnet's `Tempo` (blocks between two epochs; the epoch period is `tempo + 1`). */
  tempo(): Promise<number>;
}

/** A miner's {@link SubnetChainView}, which can also commit for its own hotkey. */
export interface MinerChainAccess extends SubnetChainView {
  /** The miner's hotkey (ss58). */
  readonly hotkey: string;
  /** `Commitments.set_commitment` of `data` (at most 512 bytes) for this hotkey; resolves with its block. */
  commit(data: Uint8Array): Promise<{ block: number }>;
  /** This hotkey's uid on the subnet (undefined when it is not registered). */
  uid(): Promise<number | undefined>;
}

/** One artifact to fetch from a peer: see {@link PeerArtifacts}. */
export interface PeerArtifactRequest {
  /** The peer's hotkey; its axon is looked up in the metagraph. */
  hotkey: string;
  /** An artifact synapse of the plugin whose `access` admits the caller (e.g. `registered`). */
  synapse: string;
  /** The synapse's request body. */
  request: unknown;
  /** The expected hash (hex) of the bytes, e.g. the peer's commitment. */
  hash: string;
  /** Bytes accepted at most (default: the synapse's `artifact.maxBytes`). */
  maxBytes?: number;
  /** Deadline of the fetch in ms (default: the synapse's `timeoutMs`, else 12 000). */
  timeoutMs?: number;
}

/**
 * Fetches artifacts from other neurons of the subnet, signed with btauth/1 by the caller's own hotkey:
 * the runner looks up the peer's axon, reads the answer under the size cap and checks its hash. Given
 * to a miner's `setup` (and a validator's `challenge`) by runners that can reach peers.
 */
export interface PeerArtifacts {
  /** The artifact's bytes; rejects naming the peer and why (no axon, refused, size cap, hash mismatch). */
  fetch(request: PeerArtifactRequest): Promise<Uint8Array>;
}

export interface MinerSetupContext {
  /** A directory this subnet may use for models and data (created by the runner). */
  dataDir: string;
  log: PluginLogger;
  /**
   * Aborted when the miner shuts down, during setup (for long training runs) or later (for background
   * work a plugin starts in setup, e.g. a round loop).
   */
  signal: AbortSignal;
  /**
   * The tensor model loaded (or trained) by the runner from `miner.model`, when the plugin
   * declares one: a tfjs `LayersModel`, typed `unknown` because core depends on no tensor library
   * (`@subnetkit/inference`'s `tensorsOf(ctx)` returns it typed).
   */
  tensorModel?: unknown;
  /** The TensorFlow.js namespace bound to the selected backend, when the runner selected one. */
  tf?: unknown;
  /** The subnet's chain, when the miner runs against one (a plugin that needs it says so in setup). */
  chain?: MinerChainAccess;
  /** Fetches artifacts from peers as this miner's hotkey, when the runner can reach them. */
  peers?: PeerArtifacts;
}

/** One progress report of a training run, sent after every epoch. */
export interface TrainProgress {
  /** Epochs finished so far (1-based after the first epoch). */
  epoch: number;
  /** Epochs in this run. */
  epochs: number;
  /** Training loss of the last epoch. */
  loss: number;
  /** Training accuracy of the last epoch, for classifiers. */
  accuracy?: number;
  /** Other per-epoch figures (e.g. validation error), by name. */
  metrics?: Record<string, number>;
  /** Wall time since training started, in ms. */
  elapsedMs: number;
  /** Estimated time to finish, in ms (elapsed per epoch times the epochs left). */
  etaMs: number;
}

/** Knobs a caller (e.g. `subnetkit train`) passes to `miner.train`; each plugin documents its defaults. */
export interface TrainOptions {
  /** Epochs to train (plugin default when absent). */
  epochs?: number;
  /** Train on at most this many examples (tests use a small subset to train in seconds). */
  subset?: number;
  /** Seed for shuffling and initialisation, for reproducible runs. */
  seed?: number;
}

/**
 * What `miner.train` receives. The runner has selected the tensor backend; `tf` is the TensorFlow.js
 * namespace bound to it (typed `unknown` because core depends on no tensor library; cast it to
 * `typeof import('@tensorflow/tfjs')`, or use `@subnetkit/inference`'s `tensorsOf`).
 */
export interface MinerTrainContext extends MinerSetupContext {
  /** Where the trained model must be saved (`<dataDir>/<miner.model.dir>`), e.g. with inference's `saveModel`. */
  modelDir: string;
  options: TrainOptions;
  /** Call after every epoch; the CLI draws its progress bar from it. */
  progress(report: TrainProgress): void;
}

/** What `miner.train` returns: the figures of the finished model. */
export interface TrainResult {
  /** Held-out figures of the trained model, by name (e.g. `accuracy`, `mase`). */
  metrics: Record<string, number>;
  /** Examples trained on. */
  examples: number;
  /** Epochs run. */
  epochs: number;
}

/**
 * How the miner's tensor model is stored and what it must look like. The runner
 * (`@subnetkit/inference`'s `loadPluginModel`) loads `<dataDir>/<dir>` (model.json + weights.bin,
 * written by inference's `saveModel`), trains it first when it is missing and the caller allows it,
 * and refuses to start when its shapes do not match.
 */
export interface MinerModelSpec<SynapseName extends string = string> {
  /** Directory under the data dir holding model.json + weights.bin (default `model`). */
  dir?: string;
  /** The synapse this model answers; its request and response schemas fix the shapes below. */
  synapse: SynapseName;
  /** Per-example input shape, without the batch axis (e.g. `[28, 28, 1]`). */
  inputShape: number[];
  /** Per-example output shape, without the batch axis (e.g. `[10]` class probabilities). */
  outputShape: number[];
}

/** The caller of a forward, as verified by the axon (btauth/1) and looked up in the metagraph. */
export interface CallerInfo {
  hotkey: string;
  /** uid of the caller on this netuid, when registered. */
  uid?: number;
  /** Stake of the caller in TAO (alpha) units, when known. */
  stake?: number;
}

/** What `forward` receives besides the request: the model from `setup`, the caller, a deadline. */
export interface ForwardContext<Model> {
  model: Model;
  caller: CallerInfo;
  /** Aborted when the request's timeout passes or the client goes away. */
  signal: AbortSignal;
  log: PluginLogger;
}

/*
 * Handlers are declared with method syntax (the `bivarianceHack` form for the mapped ones) so that
 * a concrete plugin, e.g. SubnetPlugin<{ Compute: ... }, EchoModel, number>, is assignable to the
 * generic SubnetPlugin the miner and validator accept. Authors still get full contextual typing:
 * a wrong field or return type in a handler remains a compile error (define.types.test.ts).
 */

/**
 * A single-request handler for synapse `K`: the response, or for a streaming synapse an async
 * iterable of chunks (e.g. an `async function*`), which the axon sends as they come.
 */
export type ForwardFn<S extends SynapseMap, K extends keyof S, Model> = {
  bivarianceHack(request: RequestOf<S, K>, ctx: ForwardContext<Model>): ForwardResult<S, K>;
}['bivarianceHack'];

/** What a forward returns: the response, or for a streaming synapse an async iterable of chunks. */
export type ForwardResult<S extends SynapseMap, K extends keyof S> = S[K] extends {
  stream: StreamDefinition;
}
  ? AsyncIterable<ChunkOf<S, K>>
  : ResponseOf<S, K> | Promise<ResponseOf<S, K>>;

/**
 * A batched handler for synapse `K`: receives several requests (gathered by the micro-batcher)
 * and returns one response per request, in the same order.
 */
export type ForwardBatchFn<S extends SynapseMap, K extends keyof S, Model> = {
  bivarianceHack(
    requests: RequestOf<S, K>[],
    ctx: Omit<ForwardContext<Model>, 'caller'> & { callers: CallerInfo[] },
  ): ResponseOf<S, K>[] | Promise<ResponseOf<S, K>[]>;
}['bivarianceHack'];

/** The miner side of a subnet plugin. */
export interface MinerSide<S extends SynapseMap, Model> {
  /** Load or train the model. Runs once before the axon starts serving. */
  setup(ctx: MinerSetupContext): Model | Promise<Model>;
  /** One handler per synapse. */
  forward: { [K in keyof S]: ForwardFn<S, K, Model> };
  /** Optional batched handlers; when present the runner batches concurrent requests through them. */
  forwardBatch?: { [K in keyof S]?: ForwardBatchFn<S, K, Model> };
  /**
   * The tensor model this miner serves: where it is saved and its shapes. When present the runner
   * loads it before `setup` (passing it as `ctx.tensorModel`), checks its shapes, and refuses to
   * start with a message naming `subnetkit train --subnet <name>` when it is missing or corrupt.
   */
  model?: MinerModelSpec<keyof S & string>;
  /**
   * Train the model and save it to `ctx.modelDir`. Present when the plugin can train locally:
   * `subnetkit train --subnet <name>` calls it, and the miner calls it on first start when the
   * model is missing and training was allowed. Report every epoch through `ctx.progress` and stop
   * early when `ctx.signal` aborts.
   */
  train?(ctx: MinerTrainContext): TrainResult | Promise<TrainResult>;
  /**
   * Training options of a deliberately short run (fewer epochs, fewer examples) whose model is
   * weaker than a full training but still beats every baseline: localnet's "under-trained" miner.
   * Default {@link DEFAULT_UNDER_TRAINED}. Needs `train`.
   */
  underTrained?: TrainOptions;
  /**
   * Reference miners that do not learn (a lookup cheat, seasonal naive, random answers), listed
   * from the best to the worst: `subnetkit localnet` registers them next to the trained models,
   * and tests use them, to show that the reward ranks a trained model above them.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each baseline keeps its own model type
  baselines?: Record<string, BaselineMiner<S, any>>;
}

/** {@link MinerSide.underTrained} when the plugin names none: one epoch over 1,000 examples. */
export const DEFAULT_UNDER_TRAINED: Readonly<TrainOptions> = Object.freeze({ epochs: 1, subset: 1_000 });

/**
 * A miner that does not learn, serving the same synapses as the plugin with handlers of its own
 * (see {@link MinerSide.baselines}); core's `baselinePlugin` turns it into a plugin a miner runs.
 */
export interface BaselineMiner<S extends SynapseMap, Model = unknown> {
  /** One line saying what it answers, e.g. "label of the nearest public image". */
  description: string;
  /** Prepares what its handlers get as `ctx.model` (default: nothing). */
  setup?(ctx: MinerSetupContext): Model | Promise<Model>;
  forward: { [K in keyof S]: ForwardFn<S, K, Model> };
  forwardBatch?: { [K in keyof S]?: ForwardBatchFn<S, K, Model> };
}

/** What a validator's challenge generator receives. */
export interface ChallengeContext {
  /** The evaluation round number (monotonic per validator). */
  round: number;
  /** A deterministic random source for this round, in [0, 1). Use it instead of Math.random. */
  random: () => number;
  log: PluginLogger;
  /** The subnet's chain, when the validator runs against one. */
  chain?: SubnetChainView;
  /** Fetches artifacts from miners as this validator's hotkey (outside a round), when available. */
  peers?: PeerArtifacts;
  /**
   * A directory this validator keeps what the plugin learns in, across restarts (created by the
   * runner; `subnetkit validator --data-dir`), when the runner has one.
   */
  dataDir?: string;
}

/**
 * A challenge: which synapse to send, the request, and the hidden truth the reward compares
 * against. The truth never leaves the validator.
 */
export type Challenge<S extends SynapseMap, Truth> = {
  [K in keyof S & string]: {
    synapse: K;
    request: RequestOf<S, K>;
    truth: Truth;
    /**
     * For an artifact synapse: the hash (hex, with or without 0x) of the artifact each miner must
     * serve, by hotkey (e.g. read from its commitment). A miner without an entry is not asked and
     * scores as `invalid_response` with rejection `no_expected_hash`.
     */
    artifacts?: Record<string, string>;
  };
}[keyof S & string];

/**
 * How one miner's query ended, as the dendrite classified it: `ok`; `timeout` (no answer in time,
 * or the axon answered 408, or a stream cut at its first-chunk or total deadline); `refused` (no
 * connection, or the axon refused the caller: 401/403); `overloaded` (the axon is saturated,
 * shutting down or cannot serve now: 503); `http_error` (any other non-2xx answer);
 * `invalid_response` (2xx but not JSON or not the response schema, a malformed stream event, or a
 * response or stream over the size cap); `protocol_mismatch` (a legacy v10 answer whose headers or
 * body do not have the Python SDK's shapes, e.g. a 200 whose body is not a synapse object or whose
 * `bt_header_axon_status_code` is not 200).
 */
export type QueryOutcome =
  | 'ok'
  | 'timeout'
  | 'refused'
  | 'overloaded'
  | 'http_error'
  | 'invalid_response'
  | 'protocol_mismatch';

/** Every query outcome, for metrics and exhaustive checks. */
export const QUERY_OUTCOMES: readonly QueryOutcome[] = [
  'ok',
  'timeout',
  'refused',
  'overloaded',
  'http_error',
  'invalid_response',
  'protocol_mismatch',
];

/** Why the dendrite stopped reading a stream before its end. */
export type StreamCut = 'first_chunk_deadline' | 'total_deadline' | 'size_cap' | 'malformed_event';

/** How a streamed answer arrived (streaming synapses only), also for streams that were cut. */
export interface StreamTiming {
  /** ms from sending the request to the first chunk; absent when no chunk arrived. */
  firstChunkMs?: number;
  /** Chunks received (valid ones, up to a cut). */
  chunks: number;
  /** Body bytes received. */
  bytes: number;
  /** ms from sending the request to the end of the stream (or the cut). */
  durationMs: number;
  /** Chunks per second between the first chunk and the end (0 with fewer than two chunks). */
  chunksPerSecond: number;
  /** Set when the dendrite cut the stream; the outcome then says how it is scored. */
  cut?: StreamCut;
}

/** Why an artifact answer was refused: core's checks, or no expected hash for that miner. */
export type ArtifactRefusal = ArtifactRejection | 'no_expected_hash';

/** How an artifact answer arrived (artifact synapses only). */
export interface ArtifactReceipt {
  /** Body bytes received (past the cap: as many as were read before the cut). */
  bytes: number;
  /** Set when the artifact was refused; the outcome is then `invalid_response`. */
  rejection?: ArtifactRefusal;
}

/** One miner's answer to a challenge. `response` is present only when `outcome` is `ok`. */
export interface MinerResponse<Res> {
  uid: number;
  hotkey: string;
  outcome: QueryOutcome;
  /** For a streaming synapse: the assembled chunks. */
  response?: Res;
  /** HTTP status when the axon answered. */
  status?: number;
  latencyMs: number;
  /** For a streaming synapse: time to first chunk, chunk rate, and why the stream was cut. */
  stream?: StreamTiming;
  /** For an artifact synapse: its size and why it was refused. */
  artifact?: ArtifactReceipt;
}

/** A challenge together with every sampled miner's response: what `reward` scores. */
export type ScoredRound<S extends SynapseMap, Truth> = {
  [K in keyof S & string]: {
    synapse: K;
    request: RequestOf<S, K>;
    truth: Truth;
    responses: MinerResponse<ResponseOf<S, K>>[];
  };
}[keyof S & string];

/** What `reward` receives besides the round. */
export interface RewardContext {
  round: number;
  log: PluginLogger;
  /** The subnet's chain, when the validator runs against one. */
  chain?: SubnetChainView;
  /**
   * A directory this validator keeps what the plugin learns in, across restarts (created by the
   * runner; `subnetkit validator --data-dir`), when the runner has one.
   */
  dataDir?: string;
}

/** The validator side of a subnet plugin. */
export interface ValidatorSide<S extends SynapseMap, Truth> {
  /**
   * Make a challenge: the request to send and the hidden truth to score against. Return `null` to skip
   * this tick (nothing is due, e.g. a round whose deadline has not passed): nobody is queried and the
   * validator counts `rounds_skipped_total{reason="no_challenge"}`.
   */
  challenge(ctx: ChallengeContext): Challenge<S, Truth> | null | Promise<Challenge<S, Truth> | null>;
  /**
   * Score every response: return one number in [0, 1] per entry of `round.responses`, in the same
   * order. Failed queries (`outcome !== 'ok'`) should normally score 0.
   */
  reward(round: ScoredRound<S, Truth>, ctx: RewardContext): number[] | Promise<number[]>;
}

/** Everything a subnet author writes, passed to {@link defineSubnet}. */
export interface SubnetDefinition<S extends SynapseMap, Model, Truth> {
  /** Short machine name, e.g. `echo` (lowercase letters, digits and dashes). */
  name: string;
  description?: string;
  /**
   * The weights version key sent with `set_weights`. Raise it when a new release must not be
   * mixed with the old one; the chain refuses keys below the subnet's `WeightsVersionKey`.
   */
  versionKey: number;
  /**
   * The protocol validators speak to this subnet's miners (default `btauth`); a synapse's own
   * `protocol` and the validator's `--protocol` flag take precedence.
   */
  protocol?: WireProtocol;
  synapses: S;
  miner: MinerSide<S, Model>;
  validator: ValidatorSide<S, Truth>;
}

/**
 * A validated subnet plugin, as returned by {@link defineSubnet}. The miner and validator accept
 * `SubnetPlugin` with its defaults (any synapses, model and truth).
 */
/*
 * The defaults are `any` on purpose: `keyof S` makes SubnetPlugin invariant in S, so no concrete
 * plugin would be assignable to SubnetPlugin<SynapseMap, unknown, unknown>. The runners (miner,
 * validator, CLI) accept any plugin through these defaults and validate bodies against the
 * plugin's own schemas at run time; subnet authors always get the precise inferred type.
 */
export interface SubnetPlugin<
  // biome-ignore lint/suspicious/noExplicitAny: erased synapse map for runners, see above
  S extends SynapseMap = any,
  // biome-ignore lint/suspicious/noExplicitAny: erased model type for runners, see above
  Model = any,
  // biome-ignore lint/suspicious/noExplicitAny: erased truth type for runners, see above
  Truth = any,
> extends SubnetDefinition<S, Model, Truth> {
  readonly kind: 'subnetkit.subnet';
  /** The synapse names, in declaration order. */
  readonly synapseNames: (keyof S & string)[];
}

/**
 * Any subnet plugin, whatever its synapses, model and truth types: what the miner, validator and CLI
 * accept (types are checked at the schema level at run time).
 */
// biome-ignore lint/suspicious/noExplicitAny: runners serve plugins of every shape, see SubnetPlugin
export type AnySubnetPlugin = SubnetPlugin<any, any, any>;
