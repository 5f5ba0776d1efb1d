/**
 * The validator's own overhead per round across 256 miners. 256 local fake axons answer after a fixed
 * delay; a round is: challenge, btauth/1-signed fan-out through the dendrite, the plugin's reward, and
 * the EMA fold in Redis. The figures are the measured time minus that delay, i.e. what the validator
 * adds on top of the slowest miner. The fake axons run in a worker thread (their own event loop), but
 * share the machine's cores with the validator, so on a busy 2-core host part of their HTTP work still
 * shows up in the overhead.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  btauthSigner,
  createValidatorMetrics,
  Dendrite,
  type DendriteSigner,
  type MinerTarget,
  runRoundOnce,
  ScoreStore,
  startValidator,
  threadedSr25519Signer,
} from '@subnetkit/validator';
import { adderPlugin, FakeChain } from '@subnetkit/validator/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Figure } from './harness.js';

const MINERS = 256;
const DELAY_MS = 50;
const ROUNDS = 15;
const REDIS_URL = process.env.SUBNETKIT_BENCH_REDIS ?? 'redis://127.0.0.1:6379';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// The fake axons' worker: plain JS (eval), so it needs no TypeScript loader.
const AXON_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import('@subnetkit/validator/testing').then(async ({ startFakeAxons, adderResponder }) => {
  const axons = await startFakeAxons({ count: workerData.count, delayMs: workerData.delayMs, respond: adderResponder((i) => i % 4 !== 0) });
  parentPort.on('message', async () => { await axons.close(); parentPort.close(); });
  parentPort.postMessage(axons.axons);
});
`;

async function startAxonWorker(count: number, delayMs: number) {
  const worker = new Worker(AXON_WORKER, { eval: true, workerData: { count, delayMs } });
  const axons = await new Promise<{ ip: string; port: number }[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    axons,
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

export default async function validatorBench(): Promise<Figure[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const hotkey = keyring.addFromUri('//Alice');
  const axons = await startAxonWorker(MINERS, DELAY_MS);
  const redis = new Redis(REDIS_URL);
  const prefix = `bench:validator:${randomUUID()}`;
  const log = pino({ level: 'silent' });
  const targets: MinerTarget[] = axons.axons.map((a, uid) => ({
    uid: uid + 1,
    hotkey: `miner${uid}`,
    ip: a.ip,
    port: a.port,
  }));
  const figures: Figure[] = [];
  try {
    // 1. One round in-process (no queue): challenge, fan-out, reward, fold. Three signers: WASM on a
    //    worker thread (the CLI's choice), WASM on the main thread, and none (to show signing's share).
    const store = new ScoreStore(redis, { prefix, alpha: 0.1 });
    const metrics = createValidatorMetrics(new Registry());
    let round = 0;
    const measure = async (sign: DendriteSigner) => {
      const dendrite = new Dendrite({ sign, concurrency: MINERS, timeoutMs: 5_000 });
      const ctx = { plugin: adderPlugin, store, metrics, log, dendrite, queryTimeoutMs: 5_000 };
      const totals: number[] = [];
      const fanouts: number[] = [];
      try {
        for (let r = 0; r < ROUNDS + 3; r++) {
          const res = await runRoundOnce(ctx, ++round, targets);
          if (res.ok !== MINERS)
            throw new Error(`round ${round}: only ${res.ok}/${MINERS} miners answered ok`);
          if (r >= 3) {
            totals.push(res.totalMs);
            fanouts.push(res.fanoutMs);
          }
        }
      } finally {
        await dendrite.close();
      }
      return { total: median(totals) - DELAY_MS, fanout: median(fanouts) - DELAY_MS };
    };
    const load = () => `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
    // The CLI's configuration signs on a worker thread; the main-thread signer is measured too.
    const threaded = threadedSr25519Signer(hotkey)!;
    // Warm up first (JIT, WASM, the axon thread, sockets): the first rounds of a process are slower.
    await measure(btauthSigner(threaded));
    const thread = await measure(btauthSigner(threaded));
    const threadLoad = load();
    const main = await measure(btauthSigner(hotkey));
    const unsigned = await measure(() => ({}));
    const ms = (x: number) => Math.round(x * 100) / 100;
    figures.push({
      name: 'validator.round_overhead_ms_256',
      value: ms(thread.total),
      unit: 'ms',
      note: `median of ${ROUNDS} rounds (challenge + btauth/1-signed fan-out + reward + Redis EMA fold) across ${MINERS} fake axons answering after ${DELAY_MS} ms, minus ${DELAY_MS} ms; signing on a worker thread as the CLI does; target <= 50; ${threadLoad}`,
    });
    figures.push({
      name: 'validator.dendrite_fanout_ms_256',
      value: ms(thread.fanout),
      unit: 'ms',
      note: `median btauth/1-signed fan-out to ${MINERS} axons (one Dendrite.query call) minus the ${DELAY_MS} ms axon delay`,
    });
    figures.push({
      name: 'validator.round_overhead_ms_256_signing_main_thread',
      value: ms(main.total),
      unit: 'ms',
      note: 'the same round with signatures made on the main thread (btauthSigner(pair), the library default)',
    });
    figures.push({
      name: 'validator.round_overhead_ms_256_unsigned',
      value: ms(unsigned.total),
      unit: 'ms',
      note: `the same round without signatures: signing costs round_overhead_ms_256 minus this (${ms(thread.total - unsigned.total)} ms in this run)`,
    });

    // 2. The same round through BullMQ (tick -> flow of 8 query jobs of 32 miners -> fold), one process.
    const chain = new FakeChain({
      neurons: [
        { hotkey: hotkey.address, validatorPermit: true },
        ...targets.map((t) => ({ hotkey: t.hotkey, axon: { ip: t.ip, port: t.port } })),
      ],
    });
    const v = await startValidator({
      plugin: adderPlugin,
      netuid: 1,
      hotkey: hotkey.address,
      sign: btauthSigner(threaded),
      chain,
      redis: REDIS_URL,
      keyPrefix: `${prefix}:bull`,
      sampleSize: MINERS,
      batchSize: 32,
      workers: 8,
      maxPendingRounds: 100,
      schedule: { rounds: false, weights: false },
      dendrite: { concurrency: MINERS, timeoutMs: 5_000 },
      logger: log,
    });
    try {
      const queued: number[] = [];
      for (let r = 0; r < 10 + 2; r++) {
        const t0 = performance.now();
        const { round } = await v.triggerRound();
        for (;;) {
          if (await v.store.isApplied(`round-${round}`)) break;
          await new Promise((res) => setTimeout(res, 1));
        }
        if (r >= 2) queued.push(performance.now() - t0);
      }
      figures.push({
        name: 'validator.round_overhead_ms_256_bullmq',
        value: Math.round((median(queued) - DELAY_MS) * 100) / 100,
        unit: 'ms',
        note: `median of 10 rounds through BullMQ (tick, flow of 8x32 query jobs, fold) in one process with 8 query workers, minus ${DELAY_MS} ms; includes ~1 ms polling`,
      });
    } finally {
      await v.stop();
      await threaded.close();
    }
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await axons.close();
  }
  return figures;
}
