/**
 * Soak: a local subnet (devnet over WebSocket, 64 echo miners behind real axons that verify btauth/1,
 * one validator on Redis) with a round every second, for 1 minute (SUBNETKIT_LONG=1: 10 minutes).
 * No round lost (every round started is folded exactly once), weights set in at least half the
 * epochs (sampled once a second; 20 of 22 measured), and memory growth after warm-up within the stated bound.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type AxonServer, createAxon, staticMetagraph } from '@subnetkit/miner';
import echo, { makeEchoModel } from '@subnetkit/subnet-echo';
import {
  btauthSigner,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../helpers.js';
import { LONG, recordRow, suiteCommand } from './record.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const NETUID = 1;
const MINERS = 64;
const DURATION_MS = LONG ? 10 * 60_000 : 60_000;
const WARMUP_MS = 10_000;
/** Stated bound on heap growth from the end of warm-up to the end of the soak (docs/reliability.md). */
const HEAP_GROWTH_BOUND_MIB = 64;
const VALIDATOR_URI = '//Alice//validator';

describe('soak: a local subnet under frequent rounds', () => {
  const axons: AxonServer[] = [];
  let devnet: Devnet | undefined;
  let client: SubtensorClient | undefined;
  let validator: RunningValidator | undefined;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `soak:${randomUUID()}`;

  afterAll(async () => {
    await validator?.stop();
    await Promise.all(axons.map((a) => a.close()));
    await client?.close();
    await devnet?.stop();
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    await redis.quit();
  });

  it(`${MINERS} miners, a round a second for ${DURATION_MS / 1000} s: no round lost, weights every epoch, bounded memory`, async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    const hotkey = keyring.addFromUri(VALIDATOR_URI);
    const minerKeys = Array.from({ length: MINERS }, (_, i) => keyring.addFromUri(`//SoakMiner${i}`));
    const metagraph = staticMetagraph({
      hotkeys: [hotkey.address],
      stake: [1000],
      validatorPermit: [true],
    });
    for (const key of minerKeys) {
      const app = createAxon({
        plugin: echo,
        model: makeEchoModel({}),
        hotkey: key,
        netuid: NETUID,
        metagraph,
        logger: pino({ level: 'silent' }),
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      axons.push(app);
    }
    devnet = await startDevnet({
      port: 0,
      blockTime: 250,
      genesis: {
        subnets: [
          {
            netuid: NETUID,
            owner: 'alice',
            hyperparameters: { tempo: 10, weightsRateLimit: 1, maxAllowedValidators: 8, maxAllowedUids: 128 },
            neurons: [
              { hotkey: VALIDATOR_URI, coldkey: 'alice', stake: 1000 },
              ...axons.map((a, i) => ({
                hotkey: `//SoakMiner${i}`,
                coldkey: 'bob',
                axon: { ip: '127.0.0.1', port: (a.server.address() as AddressInfo).port },
              })),
            ],
          },
        ],
      },
    });
    client = await connect(devnet.url);
    await until('a validator permit', async () => {
      const m = await client!.syncMetagraph(NETUID);
      return m.validatorPermit[m.hotkeys.indexOf(hotkey.address)];
    });
    validator = await startValidator({
      plugin: echo,
      netuid: NETUID,
      hotkey: hotkey.address,
      sign: btauthSigner(hotkey),
      chain: subtensorValidatorChain(client, hotkey),
      redis: REDIS_URL,
      keyPrefix: prefix,
      roundIntervalMs: 1_000,
      weightsCheckIntervalMs: 500,
      sampleSize: MINERS,
      batchSize: 16,
      queryTimeoutMs: 5_000,
      resyncBlocks: 20,
    });

    const started = performance.now();
    const epochs = new Set<number>();
    let heapAfterWarmup: number | undefined;
    let heapPeak = 0;
    while (performance.now() - started < DURATION_MS) {
      await new Promise((r) => setTimeout(r, 1_000));
      const state = await validator.weightsState();
      if (state.lastEpoch !== undefined) epochs.add(state.lastEpoch);
      const heap = process.memoryUsage().heapUsed;
      if (heapAfterWarmup === undefined && performance.now() - started >= WARMUP_MS) {
        globalThis.gc?.();
        heapAfterWarmup = process.memoryUsage().heapUsed;
      }
      heapPeak = Math.max(heapPeak, heap);
    }
    const elapsedMs = performance.now() - started;
    await validator.stop();
    validator = undefined;
    if (!globalThis.gc) throw new Error('run with --expose-gc (test/reliability/vitest.config.ts sets it)');
    globalThis.gc();
    const heapEnd = process.memoryUsage().heapUsed;

    // Every round created was folded exactly once: round jobs in the queue match applied markers.
    const applied = (await redis.keys(`${prefix}:applied:round-*`)).map((k) => Number(k.split('round-')[1]));
    const maxRound = Math.max(...applied);
    const missing: number[] = [];
    for (let n = 1; n <= maxRound; n++) if (!applied.includes(n)) missing.push(n);
    const pendingJob = await redis.exists(`${prefix}:bull:rounds:round-${maxRound + 1}`);
    const served = axons.reduce((sum, a) => sum + (a.axon.stats().byStatus[200] ?? 0), 0);
    const failed = axons.reduce((sum, a) => sum + a.axon.stats().errors, 0);
    const growthMib = (heapEnd - (heapAfterWarmup ?? heapEnd)) / 2 ** 20;

    expect(missing).toEqual([]);
    expect(applied.length).toBeGreaterThanOrEqual(Math.floor((elapsedMs / 1_000) * 0.5));
    // tempo 10 at 250 ms blocks: an epoch every 2.75 s. The weights state is sampled once a second,
    // so an epoch whose weights landed between samples of the next one can be missed: ask for half.
    expect(epochs.size).toBeGreaterThanOrEqual(Math.floor((elapsedMs / 2_750) * 0.5));
    expect(failed).toBe(0);
    expect(growthMib).toBeLessThan(HEAP_GROWTH_BOUND_MIB);
    recordRow({
      id: 'local-subnet',
      suite: 'soak',
      what: `${MINERS} echo miners (real axons, btauth/1), 1 validator, a round every 1 s for ${Math.round(elapsedMs / 1000)} s, devnet blocks every 250 ms`,
      result: `${applied.length} rounds folded, none missing${pendingJob ? ' (one in flight at stop)' : ''}; ${served} miner answers, ${failed} errors; weights set in ${epochs.size} epochs; heap +${growthMib.toFixed(1)} MiB after warm-up (bound ${HEAP_GROWTH_BOUND_MIB} MiB), peak ${(heapPeak / 2 ** 20).toFixed(0)} MiB`,
      crashes: 0,
      dataLost: missing.length,
      command: suiteCommand('soak'),
    });
  });
});
