/**
 * The federated subnet as a runnable plugin (`subnetkit miner|validator|localnet --subnet federated`).
 *
 * Miner (`setup` starts a round loop that ends with the miner): at each round's start it rebuilds the
 * subnet model from the chain (fetching last round's accepted updates from the peers that committed
 * them, as a registered hotkey), trains it for one local epoch on its private shard (the shard of its
 * uid; the digits never leave it), commits the update's sha256 on chain, and only then serves the bytes
 * on `Update` ({ round }). Adversaries, as `miner.baselines`: `poison` trains on flipped labels, `lazy`
 * serves the base model, `copy` fetches an honest peer's committed update and commits its hash later.
 *
 * Validator: once a round's commit deadline has passed, one challenge per round asks every miner that
 * committed in the window for its update (the expected hash is its commitment), and `reward` scores each
 * by the improvement of the subnet model on the validator's own held-out digits (`scoreUpdates`); the
 * scores become weights the usual way (EMA, weights per tempo), and Yuma's incentive weights the next
 * aggregation. Other ticks return `null` (nothing due).
 */
import { Type } from '@sinclair/typebox';
import {
  defineSubnet,
  type MinerSetupContext,
  type PeerArtifacts,
  type PluginLogger,
  type SubnetChainView,
  WireError,
} from '@subnetkit/core';
import { selectBackend, type Tf } from '@subnetkit/inference';
import { CLASSES, type DigitSet, loadDigits } from '@subnetkit/subnet-vision';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heldOutParts, minerShards, type ShardOptions } from './data.js';
import { buildMlp, evaluateWeights, trainLocal, weightsOf } from './model.js';
import { type CommittedUpdate, judgeCommitments, scoresToWeights, scoreUpdates } from './protocol.js';
import { rebuildBase, type RebuildContext, roundCommitments } from './rebuild.js';
import { type RoundSchedule, type RoundWindow, roundPhase, roundSchedule } from './schedule.js';
import { MAX_UPDATE_BYTES } from './simulate.js';
import { DirUpdateStore, MemoryUpdateStore, type UpdateStore } from './store.js';
import { decodeWeights, encodeWeights, type ModelWeights } from './weights.js';

/** How the federated subnet is set up; every node of a subnet must use the same values. */
export interface FederatedOptions {
  /** Each miner's shard (default 300 digits, 2 favourite classes at 85%). */
  shard?: ShardOptions;
  /** Shards the training digits are dealt into; a miner takes the shard of `uid % slots` (default 16). */
  slots?: number;
  /** Parts of the held-out digits: validators use parts `0..n-2`, reports the last one (default 3). */
  heldOutParts?: number;
  /** The held-out part this validator scores on (default 0). */
  validatorPart?: number;
  /** Round schedule (see schedule.ts): default 2 epochs per round, commit deadline half an epoch in. */
  epochsPerRound?: number;
  commitBlocks?: number;
  genesisRound?: number;
  /** Seeds the initial model (default 17). */
  seed?: number;
  /** Local epochs per round (default 1). */
  localEpochs?: number;
  /** How often the miner's round loop reads the best block, ms (default 250). */
  pollMs?: number;
  /** Where the validator keeps update and model bytes (default: in memory). */
  validatorDataDir?: string;
}

/** The defaults of {@link FederatedOptions}. */
export const FEDERATED_DEFAULTS = {
  shard: { size: 300, skew: 0.85 },
  slots: 16,
  heldOutParts: 3,
  validatorPart: 0,
  seed: 17,
  localEpochs: 1,
  pollMs: 250,
} as const;

/** How a federated miner behaves: honest, or one of the adversaries (`miner.baselines`). */
export type FederatedRole = 'honest' | 'poison' | 'lazy' | 'copy';

/** What the truth of a round's challenge holds (JSON: it is stored with the round's job). */
export interface FederatedTruth {
  round: number;
  startBlock: number;
  deadlineBlock: number;
  commitments: CommittedUpdate[];
  /** The round's base model, base64 of its canonical bytes. */
  base: string;
}

/** A running federated miner: what `forward` serves from. */
export interface FederatedMiner {
  role: FederatedRole;
  store: UpdateStore;
  /** Update hash served per round. */
  served: Map<number, string>;
  /** Resolves when the round loop has ended (after the miner stopped). */
  done: Promise<void>;
}

const synapses = {
  Update: {
    description:
      "A miner's model update for a round: the canonical weight bytes whose sha256 it committed on chain.",
    timeoutMs: 10_000,
    request: Type.Object(
      { round: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }) },
      { additionalProperties: false },
    ),
    response: Type.Object({}),
    artifact: { maxBytes: MAX_UPDATE_BYTES },
    access: 'registered' as const,
  },
};

// Process-wide caches: miners in one process (localnet) share the digits, shards and tfjs backend.
let tfReady: Promise<Tf> | undefined;
function tensors(ctxTf: unknown, log: PluginLogger): Promise<Tf> {
  if (ctxTf) return Promise.resolve(ctxTf as Tf);
  tfReady ??= selectBackend({ logger: log as never }).then((b) => b.tf);
  return tfReady;
}
const genesisCache = new Map<number, Promise<Uint8Array>>();
/** Canonical bytes of the initial subnet model for `seed` (`buildMlp(tf, seed)`). */
export function genesisModel(tf: Tf, seed: number = FEDERATED_DEFAULTS.seed): Promise<Uint8Array> {
  let p = genesisCache.get(seed);
  if (!p) {
    p = Promise.resolve().then(() => {
      const model = buildMlp(tf, seed);
      try {
        return encodeWeights(weightsOf(model));
      } finally {
        model.dispose();
      }
    });
    genesisCache.set(seed, p);
  }
  return p;
}
const shardCache = new Map<string, DigitSet[]>();
/** The private shard of `uid` (of `slots` shards drawn from the training digits). */
export function shardOf(uid: number, options: FederatedOptions = {}): DigitSet {
  const slots = options.slots ?? FEDERATED_DEFAULTS.slots;
  const shard = options.shard ?? FEDERATED_DEFAULTS.shard;
  const key = JSON.stringify([slots, shard]);
  let shards = shardCache.get(key);
  if (!shards) {
    shards = minerShards(loadDigits().train, slots, shard);
    shardCache.set(key, shards);
  }
  return shards[uid % slots]!;
}
/** The held-out part of validator part `part` (the last part is the report part). */
export function heldOutPart(part: number, options: FederatedOptions = {}): DigitSet {
  const parts = options.heldOutParts ?? FEDERATED_DEFAULTS.heldOutParts;
  if (!(Number.isSafeInteger(part) && part >= 0 && part < parts))
    throw new Error(`held-out part ${part} does not exist: there are ${parts} parts (0..${parts - 1})`);
  return heldOutParts(loadDigits().heldOut, parts)[part]!;
}
/** The held-out digits reports use (no validator scores on them). */
export function reportPart(options: FederatedOptions = {}): DigitSet {
  return heldOutPart((options.heldOutParts ?? FEDERATED_DEFAULTS.heldOutParts) - 1, options);
}

/** The round schedule of a subnet with `tempo`, from the options. */
export function scheduleFor(netuid: number, tempo: number, options: FederatedOptions = {}): RoundSchedule {
  return roundSchedule({
    netuid,
    tempo,
    ...(options.epochsPerRound === undefined ? {} : { epochsPerRound: options.epochsPerRound }),
    ...(options.commitBlocks === undefined ? {} : { commitBlocks: options.commitBlocks }),
    ...(options.genesisRound === undefined ? {} : { genesisRound: options.genesisRound }),
  });
}

/** Fetches a peer's committed update of a round through `peers` (the `Update` synapse). */
export function updateFetcher(peers: PeerArtifacts): RebuildContext['fetchUpdate'] {
  return (ref) =>
    peers.fetch({ hotkey: ref.hotkey, synapse: 'Update', request: { round: ref.round }, hash: ref.hash });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const hexBytes = (hash: string) => new Uint8Array(Buffer.from(hash, 'hex'));
const flipped = (shard: DigitSet) => Uint8Array.from(shard.labels, (y) => CLASSES - 1 - y);

/** Starts a miner of `role`: its state for `forward`, and the round loop in the background. */
async function startFederatedMiner(
  ctx: MinerSetupContext,
  role: FederatedRole,
  options: FederatedOptions,
): Promise<FederatedMiner> {
  const { chain, peers, log, signal } = ctx;
  if (!chain || !peers)
    throw new Error(
      'the federated miner commits on chain and fetches its peers’ updates: run it connected to the subnet (subnetkit miner --chain … or subnetkit localnet --subnet federated)',
    );
  const tf = await tensors(ctx.tf, log);
  const store = new DirUpdateStore(join(ctx.dataDir, 'federated'));
  const servedFile = join(ctx.dataDir, 'federated', 'served.json');
  const served = new Map<number, string>();
  try {
    for (const [r, h] of Object.entries(
      JSON.parse(readFileSync(servedFile, 'utf8')) as Record<string, string>,
    ))
      if (store.get(h)) served.set(Number(r), h);
  } catch {
    // First start.
  }
  const schedule = scheduleFor(chain.netuid, await chain.tempo(), options);
  const genesis = await genesisModel(tf, options.seed ?? FEDERATED_DEFAULTS.seed);
  const rebuild: RebuildContext = { chain, schedule, store, genesis, fetchUpdate: updateFetcher(peers), log };
  const serve = async (window: RoundWindow, bytes: Uint8Array) => {
    const hash = store.put(bytes);
    const { block } = await chain.commit(hexBytes(hash));
    served.set(window.round, hash);
    writeFileSync(servedFile, JSON.stringify(Object.fromEntries(served)));
    const late = block > window.deadlineBlock;
    log[late ? 'warn' : 'info'](
      `round ${window.round}: ${role} update ${hash.slice(0, 12)}… committed at block ${block}${late ? ` after the deadline ${window.deadlineBlock} (late: not counted)` : ''}`,
    );
  };

  const produce = async (window: RoundWindow) => {
    if (role === 'copy') return copyUpdate(window);
    const base = await rebuildBase(rebuild, window.round);
    if (role === 'lazy') return serve(window, base);
    const uid = await chain.uid();
    if (uid === undefined)
      throw new Error(`hotkey ${chain.hotkey} is not registered on netuid ${chain.netuid}`);
    const shard = shardOf(uid, options);
    const weights: ModelWeights = await trainLocal(tf, decodeWeights(base), shard, {
      epochs: options.localEpochs ?? FEDERATED_DEFAULTS.localEpochs,
      seed: window.round * 1000 + uid,
      ...(role === 'poison' ? { labels: flipped(shard) } : {}),
    });
    if (signal.aborted) return;
    return serve(window, encodeWeights(weights));
  };

  // The copier waits for another miner's commitment in the window, fetches those bytes as a registered
  // peer once they are served, and commits the same hash: always a later block than the original.
  const copyUpdate = async (window: RoundWindow) => {
    const pollMs = options.pollMs ?? FEDERATED_DEFAULTS.pollMs;
    while (!signal.aborted && (await chain.block()) < window.deadlineBlock) {
      const incentive = await chain.incentive();
      const others = (await chain.commitments())
        .filter(
          (c) =>
            c.hotkey !== chain.hotkey &&
            c.data.length === 32 &&
            c.block >= window.startBlock &&
            c.block <= window.deadlineBlock,
        )
        .sort((a, b) => (incentive[b.hotkey] ?? 0) - (incentive[a.hotkey] ?? 0) || a.block - b.block);
      for (const c of others) {
        const hash = Buffer.from(c.data).toString('hex');
        const bytes = await peers
          .fetch({ hotkey: c.hotkey, synapse: 'Update', request: { round: window.round }, hash })
          .catch(() => undefined);
        if (bytes) return serve(window, bytes);
      }
      await sleep(pollMs, signal);
    }
  };

  const loop = async () => {
    const attempted = new Set<number>();
    while (!signal.aborted) {
      try {
        const { window, phase } = roundPhase(schedule, await chain.block());
        if (phase === 'commit' && !served.has(window.round) && !attempted.has(window.round)) {
          attempted.add(window.round);
          try {
            await produce(window);
          } catch (err) {
            attempted.delete(window.round); // try again while the window is open
            throw err;
          }
        }
      } catch (err) {
        if (!signal.aborted) log.warn(`federated ${role} miner: ${(err as Error).message}; retrying`);
      }
      await sleep(options.pollMs ?? FEDERATED_DEFAULTS.pollMs, signal);
    }
  };
  return { role, store, served, done: loop() };
}

function serveUpdate(round: number, miner: FederatedMiner): Uint8Array {
  const hash = miner.served.get(round);
  const bytes = hash ? miner.store.get(hash) : undefined;
  if (!bytes) {
    const rounds = [...miner.served.keys()].sort((a, b) => a - b);
    throw new WireError(
      'InvalidRequest',
      `this miner has no update for round ${round} (it serves rounds ${rounds.length ? rounds.join(', ') : 'none yet'}); ask for a round it committed`,
    );
  }
  return bytes;
}

/** What the validator side keeps between ticks. */
interface ValidatorState {
  store: UpdateStore;
  scored: Set<number>;
  schedule?: RoundSchedule;
}

function requireChain(chain: SubnetChainView | undefined): SubnetChainView {
  if (!chain)
    throw new Error(
      'the federated validator reads rounds and commitments from the chain: run it connected to the subnet (subnetkit validator --chain … or localnet)',
    );
  return chain;
}

/** The federated subnet with `options` (every node of one subnet must use the same). */
export function federatedSubnet(options: FederatedOptions = {}) {
  const state: ValidatorState = {
    store: options.validatorDataDir ? new DirUpdateStore(options.validatorDataDir) : new MemoryUpdateStore(),
    scored: new Set(),
  };
  const miner = (role: FederatedRole) => (ctx: MinerSetupContext) => startFederatedMiner(ctx, role, options);
  const forward = {
    Update: ({ round }: { round: number }, ctx: { model: FederatedMiner }) => serveUpdate(round, ctx.model),
  };
  const heldOut = () => heldOutPart(options.validatorPart ?? FEDERATED_DEFAULTS.validatorPart, options);

  return defineSubnet({
    name: 'federated',
    description:
      'Federated learning on handwritten digits: miners train on private non-IID shards, commit update hashes on chain, validators reward improvement, the next model is averaged by incentive',
    versionKey: 1,
    synapses,
    miner: {
      setup: miner('honest'),
      forward,
      baselines: {
        poison: {
          description: 'trains on flipped labels (9 - digit): a poisoning update',
          setup: miner('poison'),
          forward,
        },
        lazy: { description: 'serves the base model unchanged', setup: miner('lazy'), forward },
        copy: {
          description: "fetches another miner's committed update and commits the same hash later",
          setup: miner('copy'),
          forward,
        },
      },
    },
    validator: {
      async challenge(ctx) {
        const chain = requireChain(ctx.chain);
        state.schedule ??= scheduleFor(chain.netuid, await chain.tempo(), options);
        const schedule = state.schedule;
        const { window, phase } = roundPhase(schedule, await chain.block());
        if (phase !== 'score' || state.scored.has(window.round)) return null;
        state.scored.add(window.round);
        try {
          const commitments = await roundCommitments(chain, schedule, window.round);
          const judged = judgeCommitments(commitments, window);
          const artifacts: Record<string, string> = {};
          for (const c of commitments) {
            const status = judged.get(c.hotkey)?.status;
            if (status === 'accepted' || status === 'copy') artifacts[c.hotkey] = c.hash;
          }
          if (Object.keys(artifacts).length === 0) return null;
          const tf = await tensors(undefined, ctx.log);
          const base = await rebuildBase(
            {
              chain,
              schedule,
              store: state.store,
              genesis: await genesisModel(tf, options.seed ?? FEDERATED_DEFAULTS.seed),
              fetchUpdate: ctx.peers
                ? updateFetcher(ctx.peers)
                : (ref) =>
                    Promise.reject(
                      new Error(
                        `the update of ${ref.hotkey} for round ${ref.round} is not held and this validator cannot fetch from peers`,
                      ),
                    ),
              log: ctx.log,
            },
            window.round,
          );
          const truth: FederatedTruth = {
            round: window.round,
            startBlock: window.startBlock,
            deadlineBlock: window.deadlineBlock,
            commitments,
            base: Buffer.from(base).toString('base64'),
          };
          return { synapse: 'Update' as const, request: { round: window.round }, artifacts, truth };
        } catch (err) {
          state.scored.delete(window.round);
          throw err;
        }
      },
      reward(round, ctx) {
        const truth = round.truth as FederatedTruth;
        const updates = new Map<string, Uint8Array>();
        for (const r of round.responses)
          if (r.outcome === 'ok' && r.response instanceof Uint8Array) {
            updates.set(r.hotkey, r.response);
            state.store.put(r.response);
          }
        const scores = scoreUpdates({
          base: decodeWeights(new Uint8Array(Buffer.from(truth.base, 'base64'))),
          heldOut: heldOut(),
          commitments: truth.commitments,
          round: { startBlock: truth.startBlock, deadlineBlock: truth.deadlineBlock },
          updates,
          maxBytes: MAX_UPDATE_BYTES,
        });
        const weights = scoresToWeights(scores);
        ctx.log.info(
          `federated round ${truth.round}: ${scores.filter((s) => s.verdict === 'improves').length} of ${scores.length} updates improve the model (${scores.map((s) => `${s.hotkey.slice(0, 8)} ${s.verdict}`).join(', ')})`,
        );
        return round.responses.map((r) => weights.get(r.hotkey) ?? 0);
      },
    },
  });
}

/** Held-out accuracy and loss of canonical model bytes. */
export function evaluateBytes(bytes: Uint8Array, set: DigitSet): { accuracy: number; loss: number } {
  return evaluateWeights(decodeWeights(bytes), set);
}

/**
 * Local-only reference: the shard of `uid` trained alone from the initial model for `rounds` local
 * rounds (same epochs and seeds as the miner), as held-out accuracy on `set` (default: the report part).
 */
export async function localOnlyAccuracy(
  tf: Tf,
  uid: number,
  rounds: number[],
  options: FederatedOptions = {},
  set: DigitSet = reportPart(options),
): Promise<number> {
  let w = decodeWeights(await genesisModel(tf, options.seed ?? FEDERATED_DEFAULTS.seed));
  for (const r of rounds)
    w = await trainLocal(tf, w, shardOf(uid, options), {
      epochs: options.localEpochs ?? FEDERATED_DEFAULTS.localEpochs,
      seed: r * 1000 + uid,
    });
  return evaluateWeights(w, set).accuracy;
}
