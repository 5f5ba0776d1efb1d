import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Value } from '@sinclair/typebox/value';
import {
  checkRewards,
  convertWeightsAndUidsForEmit,
  MemoryReplayStore,
  type MinerResponse,
  processWeightsForNetuid,
  type SubnetPlugin,
  seededRandom,
  signRequest,
  verifyRequest,
} from '@subnetkit/core';
import type { Command } from 'commander';
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

/**
 * Run a subnet in one process, with every piece real except the network and the chain: miners
 * with different error rates answer btauth/1-signed requests (the signature, receiver and replay
 * checks run for each one, and a forged request is refused), the validator scores the answers
 * with the plugin's reward, folds them into moving averages, and turns those into the u16 weight
 * vector it would submit with set_weights.
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
    errorRates.map(async (errorRate, uid) => {
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
  const scores = new Float64Array(miners.length);
  const alpha = 0.1; // the subnet template's moving_average_alpha
  const random = seededRandom(opts.seed);
  let requests = 0;
  let rejectedForgeries = 0;

  for (let round = 0; round < opts.rounds; round++) {
    const challenge = await subnet.validator.challenge({ round, random, log });
    const def = subnet.synapses[challenge.synapse]!;
    const body = JSON.stringify(challenge.request);
    const responses: MinerResponse<unknown>[] = [];
    for (const miner of miners) {
      const target = `/${challenge.synapse}`;
      const headers = await signRequest({
        signer: validator,
        method: 'POST',
        target,
        body,
        receiver: miner.key.address,
      });
      const verdict = await verifyRequest(
        { method: 'POST', target, headers, body: new TextEncoder().encode(body) },
        { receiver: miner.key.address, replayStore: miner.replay },
      );
      requests++;
      if (!verdict.ok)
        throw new Error(`demo: a correctly signed request was refused (${verdict.kind}: ${verdict.message})`);
      // Replaying the same signed request must fail: count it to show the check ran.
      const replay = await verifyRequest(
        { method: 'POST', target, headers, body: new TextEncoder().encode(body) },
        { receiver: miner.key.address, replayStore: miner.replay },
      );
      if (!replay.ok) rejectedForgeries++;
      const started = performance.now();
      const forward = subnet.miner.forward[challenge.synapse]!;
      const response = await forward(challenge.request, {
        model: miner.model,
        caller: { hotkey: validator.address },
        signal: new AbortController().signal,
        log,
      });
      const latencyMs = performance.now() - started;
      const valid = Value.Check(def.response, response);
      responses.push({
        uid: miner.uid,
        hotkey: miner.key.address,
        outcome: valid ? 'ok' : 'invalid_response',
        ...(valid ? { response } : {}),
        status: 200,
        latencyMs,
      });
    }
    const rewards = checkRewards(
      subnet.name,
      await subnet.validator.reward({ ...challenge, responses } as never, { round, log }),
      responses.length,
    );
    rewards.forEach((r, i) => {
      scores[i] = alpha * r + (1 - alpha) * scores[i]!;
    });
  }

  const uids = miners.map((m) => m.uid);
  const processed = processWeightsForNetuid({
    uids,
    weights: Array.from(scores),
    n: miners.length,
    minAllowedWeights: 1,
    maxWeightLimit: 1,
  });
  const emitted = convertWeightsAndUidsForEmit(Array.from(processed.uids), Array.from(processed.weights));
  return {
    subnet: subnet.name,
    rounds: opts.rounds,
    requests,
    rejectedForgeries,
    miners: miners.map((m, i) => ({
      uid: m.uid,
      hotkey: m.key.address,
      errorRate: errorRates[i]!,
      score: scores[i]!,
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
