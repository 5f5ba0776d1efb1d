/**
 * A whole federated run in one process, without a chain: miners (honest and adversarial) train on their
 * private shards and commit update hashes at blocks, validators score the updates on their own held-out
 * digits, the stake-weighted consensus of their weights decides the aggregation, and the next subnet
 * model is rebuilt from the base bytes and the committed updates. The same pieces run on chain once the
 * miner/validator artifact transport is wired (see README).
 */
import { seededRandom } from '@subnetkit/core';
import type { Tf } from '@subnetkit/inference';
import { CLASSES, type DigitSet, loadDigits } from '@subnetkit/subnet-vision';
import { heldOutParts, minerShards, type ShardOptions } from './data.js';
import { buildMlp, evaluateWeights, trainLocal, weightsOf } from './model.js';
import {
  type CommittedUpdate,
  consensusWeights,
  scoresToWeights,
  scoreUpdates,
  type UpdateVerdict,
} from './protocol.js';
import { aggregateUpdates, decodeWeights, encodeWeights, type ModelWeights, updateHash } from './weights.js';

/**
 * How a simulated miner behaves: `honest` trains on its shard; `poison` trains on flipped labels
 * (9 - digit); `random` sends random weights; `lazy` returns the base model; `copy` serves the update of
 * the first honest miner, committing it after seeing it.
 */
export type MinerRole = 'honest' | 'poison' | 'random' | 'lazy' | 'copy';

export interface SimulationOptions {
  roles: MinerRole[];
  rounds: number;
  /** Validators with these stakes (default two equal ones). */
  validatorStakes?: number[];
  shard?: ShardOptions;
  /** Local epochs per round (default 1). */
  localEpochs?: number;
  /** Seeds the initial model (default 17). */
  seed?: number;
}

export interface RoundReport {
  round: number;
  /** The aggregated model's accuracy / loss on the report part of the held-out digits. */
  accuracy: number;
  loss: number;
  /** Consensus weight per miner hotkey. */
  weights: Record<string, number>;
  /** Verdict of the first validator per miner hotkey. */
  verdicts: Record<string, UpdateVerdict>;
  /** sha256 of the aggregated model's bytes. */
  modelHash: string;
}

export interface SimulationReport {
  hotkeys: string[];
  roles: MinerRole[];
  initialAccuracy: number;
  rounds: RoundReport[];
  /** Report accuracy of each honest miner training alone on its shard for the same number of epochs. */
  localOnly: Record<string, number>;
  finalModel: Uint8Array;
}

/** Largest update a validator accepts (the MLP is about 100 KiB). */
export const MAX_UPDATE_BYTES = 512 * 1024;
/** Blocks per simulated round; commitments are due by the deadline. */
const ROUND_BLOCKS = 10;

function randomWeights(base: ModelWeights, seed: number): ModelWeights {
  const random = seededRandom(seed);
  return base.map((t) => ({
    shape: t.shape,
    values: Float32Array.from(t.values, () => {
      const u = Math.max(random(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random()) * 0.5;
    }),
  }));
}

const flipped = (shard: DigitSet) => Uint8Array.from(shard.labels, (y) => CLASSES - 1 - y);

export async function simulateRounds(tf: Tf, options: SimulationOptions): Promise<SimulationReport> {
  const { train, heldOut } = loadDigits();
  const roles = options.roles;
  const hotkeys = roles.map((r, i) => `${String(i).padStart(2, '0')}-${r}`);
  const shards = minerShards(train, roles.length, options.shard);
  const stakes = options.validatorStakes ?? [1, 1];
  const parts = heldOutParts(heldOut, stakes.length + 1);
  const report = parts[stakes.length]!;
  const epochs = options.localEpochs ?? 1;
  const initial = buildMlp(tf, options.seed ?? 17);
  let baseBytes = encodeWeights(weightsOf(initial));
  initial.dispose();
  const initialWeights = decodeWeights(baseBytes);
  const firstHonest = roles.indexOf('honest');
  const rounds: RoundReport[] = [];

  for (let r = 0; r < options.rounds; r++) {
    const base = decodeWeights(baseBytes);
    const start = r * ROUND_BLOCKS + 1;
    const window = { startBlock: start, deadlineBlock: start + ROUND_BLOCKS - 2 };
    const updates = new Map<string, Uint8Array>();
    const commitments: CommittedUpdate[] = [];
    for (let i = 0; i < roles.length; i++) {
      const role = roles[i]!;
      if (role === 'copy') continue;
      const seed = 1000 * r + i;
      let w: ModelWeights;
      if (role === 'honest') w = await trainLocal(tf, base, shards[i]!, { epochs, seed });
      else if (role === 'poison')
        w = await trainLocal(tf, base, shards[i]!, { epochs, seed, labels: flipped(shards[i]!) });
      else if (role === 'random') w = randomWeights(base, seed);
      else w = base;
      const bytes = encodeWeights(w);
      updates.set(hotkeys[i]!, bytes);
      commitments.push({ hotkey: hotkeys[i]!, hash: updateHash(bytes), block: start + 1 });
    }
    // Copiers fetch the first honest update once it is served (after its commitment) and commit it later.
    roles.forEach((role, i) => {
      if (role !== 'copy' || firstHonest < 0) return;
      const bytes = updates.get(hotkeys[firstHonest]!)!;
      updates.set(hotkeys[i]!, bytes);
      commitments.push({ hotkey: hotkeys[i]!, hash: updateHash(bytes), block: start + 3 });
    });
    const perValidator = stakes.map((stake, v) => {
      const scores = scoreUpdates({
        base,
        heldOut: parts[v]!,
        commitments,
        round: window,
        updates,
        maxBytes: MAX_UPDATE_BYTES,
      });
      return { stake, scores, weights: scoresToWeights(scores) };
    });
    const consensus = consensusWeights(perValidator);
    baseBytes = aggregateUpdates(
      baseBytes,
      commitments.map((c) => ({
        hotkey: c.hotkey,
        weight: consensus.get(c.hotkey) ?? 0,
        update: updates.get(c.hotkey)!,
      })),
    );
    const ev = evaluateWeights(decodeWeights(baseBytes), report);
    rounds.push({
      round: r + 1,
      accuracy: ev.accuracy,
      loss: ev.loss,
      weights: Object.fromEntries(hotkeys.map((h) => [h, consensus.get(h) ?? 0])),
      verdicts: Object.fromEntries(perValidator[0]!.scores.map((s) => [s.hotkey, s.verdict])),
      modelHash: updateHash(baseBytes),
    });
  }

  const localOnly: Record<string, number> = {};
  for (let i = 0; i < roles.length; i++) {
    if (roles[i] !== 'honest') continue;
    let w = initialWeights;
    for (let r = 0; r < options.rounds; r++)
      w = await trainLocal(tf, w, shards[i]!, { epochs, seed: 1000 * r + i });
    localOnly[hotkeys[i]!] = evaluateWeights(w, report).accuracy;
  }
  return {
    hotkeys,
    roles,
    initialAccuracy: evaluateWeights(initialWeights, report).accuracy,
    rounds,
    localOnly,
    finalModel: baseBytes,
  };
}
