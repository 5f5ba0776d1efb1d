import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  MemoryReplayStore,
  type SubnetPlugin,
  seededRandom,
  signRequest,
  verifyRequest,
} from '@subnetkit/core';
import {
  computeWeights,
  type DendriteResponse,
  foldScores,
  type MinerTarget,
  type QueryOptions,
  runRoundOnce,
  type ScoreEntry,
  type ScoreUpdate,
} from '@subnetkit/validator';
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadSubnetPlugin } from '../plugin-loader.js';

export interface DemoOptions {
  subnet: string;
  rounds: number;
  miners: number;
  seed: number;
}

export interface DemoResult {
  subnet: string;
  rounds: number;
  miners: { uid: number; hotkey: string; errorRate: number; score: number; weightU16: number }[];
  requests: number;
  rejectedForgeries: number;
}

const log = { debug() {}, info() {}, warn() {}, error() {} };

/** The template's moving_average_alpha. */
const DEMO_ALPHA = 0.1;

interface DemoMiner {
  uid: number;
  key: KeyringPair;
  model: unknown;
  replay: MemoryReplayStore;
}

/**
 * The demo's stand-in for the dendrite: the same `query` the validator's rounds call, carried in
 * process instead of over HTTP. Every request is btauth/1-signed and verified as an axon would (the
 * signature, receiver and replay checks), a replay of it must be refused, and the miner's forward
 * answers it; the answer is checked against the synapse's response schema like the dendrite does.
 */
class InProcessDendrite {
  requests = 0;
  rejectedReplays = 0;
  constructor(
    private readonly plugin: SubnetPlugin,
    private readonly validator: KeyringPair,
    private readonly miners: ReadonlyMap<string, DemoMiner>,
  ) {}

  async query<R = unknown>(
    targets: MinerTarget[],
    synapse: string,
    request: unknown,
    opts: QueryOptions = {},
  ): Promise<DendriteResponse<R>[]> {
    const body = JSON.stringify(request);
    const target = `/${synapse}`;
    const out: DendriteResponse<R>[] = [];
    for (const t of targets) {
      const miner = this.miners.get(t.hotkey);
      if (!miner) throw new Error(`demo: no miner with hotkey ${t.hotkey}`);
      const headers = await signRequest({
        signer: this.validator,
        method: 'POST',
        target,
        body,
        receiver: t.hotkey,
      });
      const signed = { method: 'POST', target, headers, body: new TextEncoder().encode(body) };
      const verdict = await verifyRequest(signed, { receiver: t.hotkey, replayStore: miner.replay });
      this.requests++;
      if (!verdict.ok)
        throw new Error(`demo: a correctly signed request was refused (${verdict.kind}: ${verdict.message})`);
      // Replaying the same signed request must fail: count it to show the check ran.
      const replay = await verifyRequest(signed, { receiver: t.hotkey, replayStore: miner.replay });
      if (!replay.ok) this.rejectedReplays++;
      const started = performance.now();
      const response = await this.plugin.miner.forward[synapse]!(request, {
        model: miner.model,
        caller: { hotkey: this.validator.address },
        signal: new AbortController().signal,
        log,
      });
      const latencyMs = performance.now() - started;
      const invalid = opts.validate?.(response);
      out.push({
        uid: t.uid,
        hotkey: t.hotkey,
        outcome: invalid ? 'invalid_response' : 'ok',
        ...(invalid ? { error: invalid } : { response: response as R }),
        status: 200,
        latencyMs,
        attempts: 1,
      });
    }
    return out;
  }
}

/**
 * Run a subnet in one process on the validator's own round functions, with every piece real except
 * the network and the chain: miners with different error rates answer btauth/1-signed requests (the
 * signature, receiver and replay checks run for each one, and a replayed request is refused),
 * `runRoundOnce` makes the challenge, fans it out, scores the answers with the plugin's reward and
 * folds them with the validator's EMA (`foldScores`), and `computeWeights` turns the scores into the
 * u16 weight vector the validator would submit with set_weights.
 */
export async function runDemo(opts: DemoOptions, plugin?: SubnetPlugin): Promise<DemoResult> {
  await cryptoWaitReady();
  const subnet = plugin ?? (await loadSubnetPlugin(opts.subnet));
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const validator = keyring.addFromUri('//Alice');
  const errorRates = Array.from({ length: opts.miners }, (_, i) =>
    opts.miners === 1 ? 0 : i / (opts.miners - 1),
  );
  const miners = await Promise.all(
    errorRates.map(async (errorRate, uid): Promise<DemoMiner> => {
      const key = keyring.addFromUri(`//Demo//miner${uid}`);
      const base = (await subnet.miner.setup({
        dataDir: '.',
        log,
        signal: new AbortController().signal,
      })) as object;
      // The echo subnet's model reads its error rate from this field; other subnets ignore it.
      const model = { ...base, errorRate, random: seededRandom(opts.seed + uid) };
      return { uid, key, model, replay: new MemoryReplayStore() };
    }),
  );
  const dendrite = new InProcessDendrite(subnet, validator, new Map(miners.map((m) => [m.key.address, m])));
  let scores: Map<number, ScoreEntry> = new Map();
  const store = {
    async fold(_roundId: string, updates: readonly ScoreUpdate[]): Promise<boolean> {
      scores = foldScores(scores, updates, DEMO_ALPHA);
      return true;
    },
  };
  const ctx = {
    plugin: subnet,
    store,
    dendrite,
    metrics: { rewards: { observe() {} } },
    log: pino({ level: 'silent' }),
    queryTimeoutMs: 12_000,
  };
  const targets: MinerTarget[] = miners.map((m) => ({
    uid: m.uid,
    hotkey: m.key.address,
    ip: '127.0.0.1',
    port: 0,
  }));
  for (let round = 0; round < opts.rounds; round++) {
    // Round numbers seed the challenges; --seed shifts them so different seeds ask different questions.
    await runRoundOnce(ctx, opts.seed * 1_000_003 + round, targets);
  }

  const emitted = computeWeights(
    scores,
    { n: miners.length, hotkeys: miners.map((m) => m.key.address) },
    { minAllowedWeights: 1, maxWeightsLimit: 65_535 },
  );
  return {
    subnet: subnet.name,
    rounds: opts.rounds,
    requests: dendrite.requests,
    rejectedForgeries: dendrite.rejectedReplays,
    miners: miners.map((m, i) => ({
      uid: m.uid,
      hotkey: m.key.address,
      errorRate: errorRates[i]!,
      score: scores.get(m.uid)?.score ?? 0,
      weightU16: emitted.weights[emitted.uids.indexOf(m.uid)] ?? 0,
    })),
  };
}

function positiveInt(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${raw}: expected a whole number >= 1`);
    return n;
  };
}

/** `subnetkit demo`: the in-process subnet run shown in the README. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run a subnet in one process: signed requests to miners of different quality, rewards, moving averages and the weights a validator would set',
    )
    .option('--subnet <package or path>', 'subnet plugin to run', 'echo')
    .option('--rounds <n>', 'evaluation rounds', positiveInt('rounds'), 40)
    .option(
      '--miners <n>',
      'miners, from honest (uid 0) to always wrong (last uid)',
      positiveInt('miners'),
      4,
    )
    .option('--seed <n>', 'random seed for challenges', positiveInt('seed'), 7)
    .option('--json', 'print the result as JSON')
    .action(async (opts: DemoOptions & { json?: boolean }) => {
      const result = await runDemo(opts);
      if (opts.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      console.log(
        `subnet "${result.subnet}": ${result.rounds} rounds, ${result.requests} btauth/1-signed requests verified, ${result.rejectedForgeries} replays refused`,
      );
      console.table(
        result.miners.map((m) => ({
          uid: m.uid,
          hotkey: `${m.hotkey.slice(0, 8)}…`,
          'error rate': m.errorRate.toFixed(2),
          'ema score': m.score.toFixed(4),
          'weight (u16)': m.weightU16,
        })),
      );
      console.log('Higher quality miners earn higher weights: this vector is what set_weights would submit.');
    });
}
