/**
 * `subnetkit validator explain --uid <u>`: how a uid's score and weight came to be at this validator.
 * Reads the uid's score history and every current score from the validator's Redis, the metagraph (with
 * the validator's weight row) and the weight rules from the chain, and prints @subnetkit/validator's
 * `explainScore`: each kept round's reward folded into the moving average, and the weight vector the
 * validator's `computeWeights` makes from the current scores, with the uid's share of it.
 *
 * Its settings are the validator's own (--netuid, --wallet, --hotkey, --wallet-path, --chain, --redis,
 * their SUBNETKIT_* variables and the validator's --config file), given before or after `explain`.
 */
import { Wallet } from '@subnetkit/chain';
import { fixCommand } from '@subnetkit/core';
import {
  defaultKeyPrefix,
  explainScore,
  readWeightsState,
  type ScoreExplanation,
  ScoreStore,
  type WeightsState,
} from '@subnetkit/validator';
import type { Command } from 'commander';
import { createRedis } from '@subnetkit/redis';
import { withClient } from '../client.js';
import { parseUid } from '../options.js';
import { printTable, toJson } from '../output.js';
import { resolveServiceConfig } from '../service-config.js';
import { VALIDATOR_OPTIONS } from './validator.js';

/** The validator settings `validator explain` reads (a function: validator.ts imports this module). */
const explainKeys = () => ({
  netuid: VALIDATOR_OPTIONS.netuid,
  wallet: VALIDATOR_OPTIONS.wallet,
  hotkey: VALIDATOR_OPTIONS.hotkey,
  walletPath: VALIDATOR_OPTIONS.walletPath,
  chain: VALIDATOR_OPTIONS.chain,
  redis: VALIDATOR_OPTIONS.redis,
});

/** What `subnetkit validator explain` prints. */
export interface ValidatorExplainReport extends ScoreExplanation {
  netuid: number;
  validator: string;
  keyPrefix: string;
  /** The validator's last weight submission, as kept in Redis. */
  weightsState: WeightsState;
  /** Rounds of history kept per uid. */
  historyRounds: number;
}

async function readRedis(url: string, prefix: string, uid: number) {
  const redis = createRedis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  redis.on('error', () => {});
  try {
    await redis.connect().catch((err: Error) => {
      throw new Error(
        `cannot reach Redis at ${url} (${err.message}); pass the validator's --redis URL (or start redis-server)`,
      );
    });
    const store = new ScoreStore(redis, { prefix });
    const [scores, history, alpha, weightsState] = await Promise.all([
      store.read(),
      store.history(uid),
      store.foldAlpha(),
      readWeightsState(redis, prefix),
    ]);
    return { scores, history, alpha, weightsState, historyRounds: store.historyRounds };
  } finally {
    redis.disconnect();
  }
}

function printReport(x: ValidatorExplainReport): void {
  const line = (s = '') => console.log(s);
  line(`validator ${x.validator} on netuid ${x.netuid}, uid ${x.uid} (${x.hotkey ?? 'not registered'})`);
  if (x.scoredHotkey !== null && x.scoredHotkey !== x.hotkey) {
    line(`its stored score was earned by ${x.scoredHotkey}, which no longer holds the uid: it counts as 0`);
  }
  if (x.rounds.length === 0) {
    line(
      `no round of this validator scored uid ${x.uid} yet (Redis keys ${x.keyPrefix}:*); the validator queries a sample of miners each round`,
    );
  } else {
    line(
      `score ${x.score.toFixed(6)}: the last ${x.rounds.length} rounds (of at most ${x.historyRounds} kept), each folded as α·reward + (1−α)·previous with α = ${x.alpha}`,
    );
    printTable(
      ['round', 'challenge', 'outcome', 'latency ms', 'reward', 'previous', 'score'],
      x.rounds.map((r) => [
        r.round ?? '-',
        r.challengeId ?? '-',
        r.outcome ?? '-',
        r.latencyMs ?? '-',
        r.reward.toFixed(4),
        r.previous === null ? '(trimmed)' : r.previous.toFixed(6),
        r.score.toFixed(6),
      ]),
    );
    if (!x.consistent)
      line(
        'warning: some rounds do not follow from the one before (EMA α changed, or the history was edited)',
      );
  }
  line();
  const w = x.weight;
  line(
    `weight now: score share ${(w.scoreShare * 100).toFixed(2)}% -> weight ${w.weight.toFixed(6)} after the chain's rules -> u16 ${w.value} (${(w.valueShare * 100).toFixed(2)}% of the vector; ${w.place === null ? 'not weighted' : `#${w.place} of ${w.weightedUids}`})`,
  );
  if (x.onChain) {
    line(`on chain: weight ${x.onChain.value} on uid ${x.uid}, set in block ${x.onChain.lastUpdate}`);
  } else line('on chain: this validator is not registered on the subnet, so it has no weights there');
  const s = x.weightsState;
  if (s.lastEpoch !== undefined)
    line(
      `last submission: epoch ${s.lastEpoch}, block ${s.lastBlock}, ${s.lastResult}${s.lastError ? ` (last error: ${s.lastError})` : ''}`,
    );
}

/** Registers `subnetkit validator explain` under the `validator` command. */
export function registerValidatorExplainCommand(validator: Command): void {
  validator
    .command('explain')
    .description(
      "how a uid's score and its weight came to be at this validator (score history in Redis, weights recomputed)",
    )
    .requiredOption('--uid <u>', 'uid to explain', parseUid)
    .option('--json', 'print JSON instead of text')
    .configureHelp({ showGlobalOptions: true })
    .action(async (o: { uid: number; json?: boolean }, command: Command) => {
      const flags = resolveServiceConfig(command.parent!, explainKeys(), process.env, { otherKeys: true });
      const address = await new Wallet({
        name: flags.wallet,
        hotkey: flags.hotkey,
        path: flags.walletPath,
      }).hotkeypub();
      const keyPrefix = defaultKeyPrefix(flags.netuid, address);
      const state = await readRedis(flags.redis, keyPrefix, o.uid);
      const [metagraph, hp] = await withClient(flags.chain, (c) =>
        Promise.all([c.syncMetagraph(flags.netuid, { weights: true }), c.hyperparameters(flags.netuid)]),
      );
      if (o.uid >= metagraph.n) {
        throw new Error(
          `uid ${o.uid} is not on netuid ${flags.netuid} (it has ${metagraph.n} uids); list them with ${fixCommand('subnet metagraph', { '--netuid': flags.netuid })}`,
        );
      }
      const self = metagraph.hotkeys.indexOf(address);
      const x = explainScore({
        uid: o.uid,
        scores: state.scores,
        history: state.history,
        alpha: state.alpha,
        metagraph,
        hyperparameters: hp,
        ...(self >= 0
          ? { onChainRow: metagraph.weights?.[self] ?? [], lastUpdate: metagraph.lastUpdate[self]! }
          : {}),
      });
      const report: ValidatorExplainReport = {
        netuid: flags.netuid,
        validator: address,
        keyPrefix,
        weightsState: state.weightsState,
        historyRounds: state.historyRounds,
        ...x,
      };
      if (o.json) console.log(toJson(report));
      else printReport(report);
    });
}
