import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient } from '@subnetkit/chain';
import type { SubnetPlugin } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type RunningExporter, runExporter } from '@subnetkit/exporter';
import { type RunningMiner, startMiner, subtensorMinerChain } from '@subnetkit/miner';
import { makeEchoModel } from '@subnetkit/subnet-echo';
import {
  btauthSigner,
  type RunningValidator,
  startValidator,
  subtensorValidatorChain,
} from '@subnetkit/validator';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type MetricsTarget, SCRAPE_JOBS } from './prometheus-config.js';
import { ensureRedis, type LocalRedis } from './redis.js';

export interface LocalnetOptions {
  plugin: SubnetPlugin;
  /** Number of miners (default 3). */
  miners?: number;
  /** Devnet WebSocket port (0 = any free port). */
  port?: number;
  /** Devnet block time in ms (default 250, subtensor's fast localnet). */
  blockTimeMs?: number;
  /** Blocks per tempo (default 10): how often the validator sets weights. */
  tempo?: number;
  /** Redis URL; a private redis-server is started when nothing answers there. */
  redis?: string;
  /** Seconds between evaluation rounds (default 1). */
  roundIntervalMs?: number;
  logger: Logger;
  /** Level of the devnet's, miners', validator's and exporter's loggers (default warn). */
  serviceLogLevel?: string;
}

/** One neuron as localnet reports it. */
export interface LocalnetNeuron {
  uid: number;
  role: string;
  hotkey: string;
  axon: string;
  score: number | undefined;
  /** The validator's weight for this uid as stored on chain (u16, 0 when none). */
  weight: number;
  /** Incentive (proportion) and emission (alpha per epoch) from the subnet's last epoch. */
  incentive: number;
  emission: number;
}

export interface Localnet {
  devnet: Devnet;
  client: SubtensorClient;
  validator: RunningValidator;
  miners: RunningMiner[];
  /** The chain exporter watching the localnet's subnet. */
  exporter: RunningExporter;
  /** The /metrics URL of every service: miners, validator, exporter. */
  metricsTargets: MetricsTarget[];
  netuid: number;
  validatorHotkey: string;
  redisUrl: string;
  /** Rounds whose scores have been folded in so far. */
  roundsScored(): Promise<number>;
  /** The validator's row on chain and its moving averages, one entry per uid. */
  snapshot(): Promise<{ block: number; neurons: LocalnetNeuron[]; weightsSet: boolean }>;
  stop(): Promise<void>;
}

export const LOCALNET_NETUID = 1;

/** How the echo subnet's miners differ, so the weights have something to rank. */
const ECHO_QUALITIES: { role: string; env: Record<string, string> }[] = [
  { role: 'honest', env: {} },
  { role: 'slow', env: { ECHO_DELAY_MS: '900' } },
  { role: 'faulty', env: { ECHO_ERROR_RATE: '1' } },
  { role: 'sloppy', env: { ECHO_ERROR_RATE: '0.3' } },
];

const COLDKEYS = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'];

function minerPlugin(plugin: SubnetPlugin, i: number): { plugin: SubnetPlugin; role: string } {
  if (plugin.name !== 'echo') return { plugin, role: 'miner' };
  const q = ECHO_QUALITIES[i % ECHO_QUALITIES.length]!;
  return {
    plugin: { ...plugin, miner: { ...plugin.miner, setup: () => makeEchoModel(q.env) } } as SubnetPlugin,
    role: `miner (${q.role})`,
  };
}

/**
 * Start a whole subnet on this machine: the devnet, a subnet with a staked validator, `miners`
 * miners registered with burned_register and serving their axons, and a validator running
 * evaluation rounds on Redis and setting weights every tempo. Everything talks over real sockets.
 */
export async function startLocalnet(opts: LocalnetOptions): Promise<Localnet> {
  const log = opts.logger;
  const serviceLevel = opts.serviceLogLevel ?? 'warn';
  const minerCount = opts.miners ?? 3;
  if (minerCount > COLDKEYS.length * 8)
    throw new Error(`--miners ${minerCount}: at most ${COLDKEYS.length * 8}`);
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const validatorKey = keyring.addFromUri('//Alice//validator');
  const dataDir = mkdtempSync(join(tmpdir(), 'subnetkit-localnet-'));
  const redis: LocalRedis = await ensureRedis(opts.redis ?? 'redis://127.0.0.1:6379', (m) => log.info(m));
  const keyPrefix = `subnetkit:localnet:${randomUUID()}`;
  const cleanups: (() => Promise<void>)[] = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
    () => redis.stop(),
  ];
  const stopAll = async () => {
    for (const fn of cleanups.splice(0).reverse())
      await fn().catch((err) => log.warn({ err }, 'cleanup failed'));
  };
  try {
    const devnet = await startDevnet({
      port: opts.port ?? 9944,
      blockTime: opts.blockTimeMs ?? 250,
      logger: log.child({ component: 'devnet' }, { level: serviceLevel }),
      genesis: {
        subnets: [
          {
            netuid: LOCALNET_NETUID,
            owner: 'alice',
            hyperparameters: {
              tempo: opts.tempo ?? 10,
              weightsRateLimit: 1,
              maxAllowedValidators: 8,
              burn: 1,
            },
            neurons: [{ hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 }],
          },
        ],
      },
    });
    cleanups.push(() => devnet.stop());
    log.info(
      `devnet serving ${devnet.url} (block time ${opts.blockTimeMs ?? 250} ms, netuid ${LOCALNET_NETUID})`,
    );

    const client = await connect(devnet.url);
    cleanups.push(() => client.close());
    const minerKeys: KeyringPair[] = [];
    for (let i = 0; i < minerCount; i++) {
      const hotkey = keyring.addFromUri(`//Miner//${i}`);
      const coldkey = keyring.addFromUri(COLDKEYS[i % COLDKEYS.length]!);
      await client.burnedRegister(coldkey, LOCALNET_NETUID, hotkey.address);
      minerKeys.push(hotkey);
    }
    log.info(`registered ${minerCount} miners with burned_register`);

    const roles = new Map<string, string>([[validatorKey.address, 'validator']]);
    const miners: RunningMiner[] = [];
    for (const [i, hotkey] of minerKeys.entries()) {
      const { plugin, role } = minerPlugin(opts.plugin, i);
      roles.set(hotkey.address, role);
      const minerClient = await connect(devnet.url);
      cleanups.push(() => minerClient.close());
      const miner = await startMiner({
        plugin,
        hotkey,
        netuid: LOCALNET_NETUID,
        chain: subtensorMinerChain(minerClient, hotkey),
        port: 0,
        host: '127.0.0.1',
        externalIp: '127.0.0.1',
        metagraphRefreshMs: 2_000,
        dataDir: mkdtempSync(join(dataDir, `miner-${i}-`)),
        logger: log.child({ component: `miner-${i}` }, { level: serviceLevel }),
      });
      cleanups.push(() => miner.stop());
      miners.push(miner);
      log.info(`miner ${i}, ${role}, serving ${miner.url}, axon announced on chain`);
    }

    const validatorClient = await connect(devnet.url, { reconnectDelayMs: 200, maxReconnectDelayMs: 2_000 });
    cleanups.push(() => validatorClient.close());
    const validator = await startValidator({
      plugin: opts.plugin,
      netuid: LOCALNET_NETUID,
      hotkey: validatorKey.address,
      sign: btauthSigner(validatorKey),
      chain: subtensorValidatorChain(validatorClient, validatorKey),
      redis: redis.url,
      keyPrefix,
      emaAlpha: 0.3,
      roundIntervalMs: opts.roundIntervalMs ?? 1_000,
      weightsCheckIntervalMs: 500,
      resyncBlocks: 5,
      batchSize: 4,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      logger: log.child({ component: 'validator' }, { level: serviceLevel }),
    });
    cleanups.push(async () => {
      await validator.stop();
      const r = new Redis(redis.url);
      const keys = await r.keys(`${keyPrefix}*`);
      if (keys.length) await r.del(...keys);
      await r.quit();
    });
    log.info(`validator running rounds every ${(opts.roundIntervalMs ?? 1_000) / 1000} s on ${redis.url}`);

    const exporter = await runExporter({
      chain: devnet.url,
      netuids: [LOCALNET_NETUID],
      port: 0,
      host: '127.0.0.1',
      logger: log.child({ component: 'exporter' }, { level: serviceLevel }),
    });
    cleanups.push(() => exporter.stop());
    const metricsTargets: MetricsTarget[] = [
      ...miners.map((m, i) => ({ service: `miner-${i}`, job: SCRAPE_JOBS.miner, url: `${m.url}/metrics` })),
      { service: 'validator', job: SCRAPE_JOBS.validator, url: `${validator.metricsUrl}/metrics` },
      { service: 'exporter', job: SCRAPE_JOBS.exporter, url: `${exporter.url}/metrics` },
    ];

    return {
      devnet,
      client,
      validator,
      miners,
      exporter,
      metricsTargets,
      netuid: LOCALNET_NETUID,
      validatorHotkey: validatorKey.address,
      redisUrl: redis.url,
      async roundsScored() {
        const metric = await validator.metrics.roundsCompleted.get();
        return metric.values.reduce((sum, v) => sum + v.value, 0);
      },
      async snapshot() {
        const m = await client.syncMetagraph(LOCALNET_NETUID, { weights: true });
        const vuid = m.hotkeys.indexOf(validatorKey.address);
        const row = new Map(m.weights?.[vuid] ?? []);
        const scores = await validator.store.read();
        const neurons = m.hotkeys.map((hotkey, uid) => {
          const axon = m.axons[uid];
          return {
            uid,
            role: roles.get(hotkey) ?? 'neuron',
            hotkey,
            axon: axon && axon.port > 0 ? `${axon.ip}:${axon.port}` : '-',
            score: scores.get(uid)?.score,
            weight: row.get(uid) ?? 0,
            incentive: m.incentive[uid] ?? 0,
            emission: m.emission[uid] ?? 0,
          };
        });
        return { block: m.block, neurons, weightsSet: row.size > 0 };
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
