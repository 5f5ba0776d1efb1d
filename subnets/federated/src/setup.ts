/**
 * What every node of the federated subnet shares: the options (every node of a subnet must use the same),
 * the initial model, each miner's private shard, the validators' and the report's held-out parts, the
 * round schedule, and fetching an update from a peer. Digits, shards and the tfjs backend are cached per
 * process (localnet runs every miner in one).
 */
import type { PeerArtifacts, PluginLogger } from '@subnetkit/core';
import { selectBackend, type Tf } from '@subnetkit/inference';
import { type DigitSet, loadDigits } from '@subnetkit/subnet-vision';
import { heldOutParts, minerShards, type ShardOptions } from './data.js';
import { buildMlp, weightsOf } from './model.js';
import type { RebuildContext } from './rebuild.js';
import { type RoundSchedule, roundSchedule } from './schedule.js';
import { encodeWeights } from './weights.js';

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
  /** Where the validator keeps update and model bytes (default: `<the validator's data dir>/federated` when the runner gives one, as `subnetkit validator` does; else in memory). */
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

// Process-wide caches: miners in one process (localnet) share the digits, shards and tfjs backend.
let tfReady: Promise<Tf> | undefined;
export function tensors(ctxTf: unknown, log: PluginLogger): Promise<Tf> {
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
