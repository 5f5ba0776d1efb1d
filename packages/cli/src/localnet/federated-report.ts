/**
 * The report of `subnetkit localnet --subnet federated`: after each round closes, rebuild the subnet
 * model independently of the validator (from chain state and the updates fetched from the miners, with
 * the plugin's own rebuild), measure it on the report part of the held-out digits (no validator scores
 * on it), and read each miner's incentive that weighted the round's aggregation. At the end, train each
 * honest miner's shard alone for the same rounds (the local-only reference).
 */
import { subnetChainView } from '@subnetkit/chain';
import type { Tf } from '@subnetkit/inference';
import {
  acceptedUpdates,
  evaluateBytes,
  type FederatedOptions,
  genesisModel,
  localOnlyAccuracy,
  MemoryUpdateStore,
  type RebuildContext,
  rebuildBase,
  reportPart,
  roundAt,
  roundCommitments,
  roundWindow,
  scheduleFor,
  updateFetcher,
  updateHash,
} from '@subnetkit/subnet-federated';
import type { Localnet } from './localnet.js';

/** One closed round. */
export interface FederatedRoundRow {
  round: number;
  /** Accuracy and loss of the model the round produced, on the report part. */
  accuracy: number;
  loss: number;
  /** sha256 of the model's canonical bytes. */
  modelHash: string;
  /** Miners whose update the round accepted (in the window, not a copy). */
  accepted: number;
  /** Incentive at the next round's first block (what weighted the aggregation), by role. */
  incentive: Record<string, number>;
  /** Uids of the miners that committed in the round's window. */
  committed: number[];
}

/** The whole report. */
export interface FederatedReport {
  initialAccuracy: number;
  rounds: FederatedRoundRow[];
  /** Report accuracy of each honest miner's shard trained alone for the same rounds, by role label. */
  localOnly: Record<string, number>;
  bestLocalOnly: number;
  /** Each adversary's share of the incentive in the last round, by role. */
  adversaries: Record<string, number>;
  /** The last model's bytes (for tests comparing rebuilds). */
  finalModel: Uint8Array;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Watches `rounds` rounds with commitments close on `net`, calling `onRound` after each. */
export async function watchFederatedRounds(
  net: Localnet,
  tf: Tf,
  opts: {
    rounds: number;
    timeoutMs: number;
    options?: FederatedOptions;
    onRound?: (row: FederatedRoundRow) => void;
  },
): Promise<FederatedReport> {
  if (!net.peers)
    throw new Error('the federated report fetches updates from the miners; localnet gave no peers');
  const options = opts.options ?? {};
  const chain = subnetChainView(net.client, net.netuid);
  const schedule = scheduleFor(net.netuid, await chain.tempo(), options);
  const genesis = await genesisModel(tf, options.seed);
  const ctx: RebuildContext = {
    chain,
    schedule,
    store: new MemoryUpdateStore(),
    genesis,
    fetchUpdate: updateFetcher(net.peers),
  };
  const report = reportPart(options);
  const snap = await net.snapshot();
  const roleOf = new Map(snap.neurons.map((n) => [n.hotkey, n.role.replace(/^miner \((.*)\)$/, '$1')]));
  const uidOf = new Map(snap.neurons.map((n) => [n.hotkey, n.uid]));
  const label = (hotkey: string) => `${roleOf.get(hotkey) ?? 'neuron'} ${uidOf.get(hotkey) ?? '?'}`;

  const deadline = Date.now() + opts.timeoutMs;
  const rows: FederatedRoundRow[] = [];
  const trainedRounds = new Map<number, number[]>();
  // Report from the first round the validator sees whole: the current one while its commit window is open.
  const now = await chain.block();
  let round = roundAt(schedule, now);
  if (now > roundWindow(schedule, round).deadlineBlock) round++;
  let model = genesis;
  while (rows.length < opts.rounds) {
    const w = roundWindow(schedule, round);
    // The round's aggregation needs the incentive at the next round's first block.
    while ((await chain.block()) < w.nextStartBlock + 1) {
      if (Date.now() > deadline)
        throw new Error(
          `localnet: after ${opts.timeoutMs / 1000} s, ${rows.length} of ${opts.rounds} federated rounds closed; raise --timeout or check the logs`,
        );
      await sleep(250);
    }
    const commitments = await roundCommitments(chain, schedule, round);
    const inWindow = commitments.filter((c) => c.block >= w.startBlock && c.block <= w.deadlineBlock);
    if (inWindow.length > 0) {
      const accepted = acceptedUpdates(commitments, schedule, round);
      model = await rebuildBase(ctx, round + 1);
      const incentive = await chain.incentive({ block: w.nextStartBlock });
      const minerTotal = [...roleOf.entries()]
        .filter(([, role]) => role !== 'validator')
        .reduce((a, [hk]) => a + (incentive[hk] ?? 0), 0);
      const ev = evaluateBytes(model, report);
      const row: FederatedRoundRow = {
        round,
        accuracy: ev.accuracy,
        loss: ev.loss,
        modelHash: updateHash(model),
        accepted: accepted.length,
        incentive: Object.fromEntries(
          [...roleOf.entries()]
            .filter(([, role]) => role !== 'validator')
            .map(([hk]) => [label(hk), minerTotal > 0 ? (incentive[hk] ?? 0) / minerTotal : 0]),
        ),
        committed: inWindow.map((c) => uidOf.get(c.hotkey) ?? -1).sort((a, b) => a - b),
      };
      rows.push(row);
      opts.onRound?.(row);
    }
    round++;
  }

  // Every round each miner trained in (since the genesis round, reported or not): its local-only model
  // gets as many local epochs as the miner's contributions to the subnet model.
  const lastRound = rows.at(-1)!.round;
  for (let r = schedule.genesisRound; r <= lastRound; r++) {
    const w = roundWindow(schedule, r);
    // A round older than the chain's state history cannot be read any more: it is not counted.
    const commitments = await roundCommitments(chain, schedule, r).catch(() => []);
    for (const c of commitments) {
      const uid = uidOf.get(c.hotkey);
      if (uid !== undefined && c.block >= w.startBlock && c.block <= w.deadlineBlock)
        trainedRounds.set(uid, [...(trainedRounds.get(uid) ?? []), r]);
    }
  }
  const localOnly: Record<string, number> = {};
  for (const [hotkey, role] of roleOf) {
    if (role !== 'honest') continue;
    const uid = uidOf.get(hotkey)!;
    localOnly[label(hotkey)] = await localOnlyAccuracy(
      tf,
      uid,
      trainedRounds.get(uid) ?? [],
      options,
      report,
    );
  }
  const last = rows.at(-1)!;
  const adversaries: Record<string, number> = {};
  for (const [name, share] of Object.entries(last.incentive))
    if (!name.startsWith('honest')) adversaries[name] = share;
  return {
    initialAccuracy: evaluateBytes(genesis, report).accuracy,
    rounds: rows,
    localOnly,
    bestLocalOnly: Math.max(0, ...Object.values(localOnly)),
    adversaries,
    finalModel: model,
  };
}

/** The report's lines as the command prints them. */
export function formatFederatedRound(row: FederatedRoundRow): string {
  const shares = Object.entries(row.incentive)
    .map(([name, share]) => `${name} ${share.toFixed(2)}`)
    .join(', ');
  return `round ${row.round}: subnet model ${row.accuracy.toFixed(3)} on the report digits (loss ${row.loss.toFixed(3)}), ${row.accepted} updates accepted (committed: uids ${row.committed.join(' ')}); incentive: ${shares}`;
}

/** The closing line: the subnet model against the best local-only model, and the adversaries' weight. */
export function formatFederatedSummary(report: FederatedReport): string {
  const last = report.rounds.at(-1)!;
  const rel = last.accuracy > report.bestLocalOnly ? '>' : '<=';
  const adv = Object.entries(report.adversaries)
    .map(([name, share]) => `${name.split(' ')[0]} ${share.toFixed(2)}`)
    .join(', ');
  return `subnet model ${last.accuracy.toFixed(2)} ${rel} best local-only ${report.bestLocalOnly.toFixed(2)}; adversaries' weight: ${adv || 'none'}`;
}
