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
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { defineSubnet, type MinerSetupContext, type SubnetChainView } from '@subnetkit/core';
import type { Tf } from '@subnetkit/inference';
import type { DigitSet } from '@subnetkit/subnet-vision';
import { type FederatedMiner, type FederatedRole, serveUpdate, startFederatedMiner } from './miner.js';
import { evaluateWeights, trainLocal } from './model.js';
import { type CommittedUpdate, judgeCommitments, scoresToWeights, scoreUpdates } from './protocol.js';
import { rebuildBase, roundCommitments } from './rebuild.js';
import { type RoundSchedule, roundPhase } from './schedule.js';
import {
  FEDERATED_DEFAULTS,
  type FederatedOptions,
  genesisModel,
  heldOutPart,
  reportPart,
  scheduleFor,
  shardOf,
  tensors,
  updateFetcher,
} from './setup.js';
import { MAX_UPDATE_BYTES } from './simulate.js';
import { DirUpdateStore, MemoryUpdateStore, type UpdateStore } from './store.js';
import { decodeWeights } from './weights.js';

/** What the truth of a round's challenge holds (JSON: it is stored with the round's job). */
export interface FederatedTruth {
  round: number;
  startBlock: number;
  deadlineBlock: number;
  commitments: CommittedUpdate[];
  /** The round's base model, base64 of its canonical bytes. */
  base: string;
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

/** What the validator side keeps between ticks. */
interface ValidatorState {
  /** Opened at the first challenge or reward: in the runner's data dir when it gives one. */
  store?: UpdateStore;
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
  const state: ValidatorState = { scored: new Set() };
  // `validatorDataDir` wins; else the validator's data dir (`subnetkit validator --data-dir`, kept across
  // restarts); else memory (a restarted validator then fetches the updates it needs again).
  const storeOf = (dataDir: string | undefined): UpdateStore => {
    state.store ??= options.validatorDataDir
      ? new DirUpdateStore(options.validatorDataDir)
      : dataDir
        ? new DirUpdateStore(join(dataDir, 'federated'))
        : new MemoryUpdateStore();
    return state.store;
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
              store: storeOf(ctx.dataDir),
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
            storeOf(ctx.dataDir).put(r.response);
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
