import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, minerChainAccess, type SubtensorClient, subnetChainView } from '@subnetkit/chain';
import {
  baselinePlugin,
  DEFAULT_UNDER_TRAINED,
  type PeerArtifacts,
  type SubnetPlugin,
} from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type RunningExporter, runExporter } from '@subnetkit/exporter';
import {
  formatTrainProgress,
  type InferenceBackend,
  type PreparedPluginMiner,
  selectBackend,
  setupPluginMiner,
} from '@subnetkit/inference';
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
import { pluginPeers } from '../peers.js';
import { type MetricsTarget, SCRAPE_JOBS } from './prometheus-config.js';
import { ensureRedis, type LocalRedis } from './redis.js';

export interface LocalnetOptions {
  plugin: SubnetPlugin;
  /** Number of miners (default: 3 for echo, else one per quality tier of the plugin, see {@link minerTiers}). */
  miners?: number;
  /**
   * Where the trained and under-trained models are kept between runs (default
   * `~/.subnetkit/localnet/<subnet>`): a missing model is trained there, with progress, once.
   */
  dataDir?: string;
  /** Devnet WebSocket port (0 = any free port). */
  port?: number;
  /** Devnet block time in ms (default 250, subtensor's fast localnet). */
  blockTimeMs?: number;
  /** Blocks per tempo (default {@link defaultTempo}): how often the validator sets weights. */
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
  /**
   * Fetches artifacts from the miners as the validator's hotkey (plugins with artifact synapses; e.g.
   * to rebuild the federated subnet's model independently of the validator).
   */
  peers: PeerArtifacts | undefined;
  /** Rounds whose scores have been folded in so far. */
  roundsScored(): Promise<number>;
  /** The validator's row on chain and its moving averages, one entry per uid. */
  snapshot(): Promise<{ block: number; neurons: LocalnetNeuron[]; weightsSet: boolean }>;
  stop(): Promise<void>;
}

export const LOCALNET_NETUID = 1;
/** Uids of the localnet subnet (MaxAllowedUids, as on a mainnet subnet): the validator and up to 255 miners. */
export const LOCALNET_MAX_UIDS = 256;

/** How the echo subnet's miners differ, so the weights have something to rank. */
const ECHO_QUALITIES: { role: string; env: Record<string, string> }[] = [
  { role: 'honest', env: {} },
  { role: 'slow', env: { ECHO_DELAY_MS: '900' } },
  { role: 'faulty', env: { ECHO_ERROR_RATE: '1' } },
  { role: 'sloppy', env: { ECHO_ERROR_RATE: '0.3' } },
];

const COLDKEYS = ['//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'];

/**
 * One quality of miner localnet runs: `trained` (the plugin's full `miner.train`), `under-trained`
 * (`miner.underTrained`: a short run), a `baseline` of `miner.baselines` (no learning), `echo` (the
 * echo subnet's injected faults), or `plain` (the plugin as it is, for a subnet without a model).
 */
export type MinerTier =
  | { kind: 'trained' | 'under-trained' | 'plain'; role: string }
  | { kind: 'baseline'; role: string; baseline: string }
  | { kind: 'echo'; role: string; env: Record<string, string> };

/**
 * The qualities of miner localnet registers for `plugin`, from the one the weights should rank
 * highest to the lowest: trained, under-trained, then the plugin's baselines in declared order
 * (e.g. vision: trained, under-trained, lookup, random). Miners take them in turn.
 */
export function minerTiers(plugin: SubnetPlugin): MinerTier[] {
  if (plugin.name === 'echo') {
    return ECHO_QUALITIES.map((q) => ({ kind: 'echo', role: `miner (${q.role})`, env: q.env }));
  }
  if (plugin.name === 'federated') {
    // Four honest miners learn together; each adversary once (poison, lazy, copy).
    return [
      ...Array.from({ length: FEDERATED_HONEST }, () => ({ kind: 'plain' as const, role: 'miner (honest)' })),
      ...Object.keys(plugin.miner.baselines ?? {}).map((baseline) => ({
        kind: 'baseline' as const,
        role: `miner (${baseline})`,
        baseline,
      })),
    ];
  }
  const tiers: MinerTier[] = plugin.miner.model
    ? [{ kind: 'trained', role: 'miner (trained)' }]
    : [{ kind: 'plain', role: 'miner' }];
  if (plugin.miner.model && plugin.miner.train)
    tiers.push({ kind: 'under-trained', role: 'miner (under-trained)' });
  for (const baseline of Object.keys(plugin.miner.baselines ?? {})) {
    tiers.push({ kind: 'baseline', role: `miner (${baseline})`, baseline });
  }
  return tiers;
}

/** The miners' roles from the highest weight on chain to the lowest, e.g. `trained > under-trained > random`. */
export function rankByWeight(neurons: readonly LocalnetNeuron[]): string {
  const miners = neurons.filter((n) => n.role !== 'validator').sort((a, b) => b.weight - a.weight);
  return miners
    .map(
      (n, i) =>
        `${i > 0 ? (n.weight === miners[i - 1]!.weight ? ' = ' : ' > ') : ''}${n.role.replace(/^miner \((.*)\)$/, '$1')}`,
    )
    .join('');
}

/** Honest miners of the federated subnet's localnet. */
const FEDERATED_HONEST = 4;

/**
 * Blocks per tempo localnet gives a subnet when `--tempo` is not given: 10, or 24 for federated, whose
 * rounds (two epochs) must fit a rebuild, local training and a commitment before the deadline (half an
 * epoch: 3 s at 250 ms blocks) and the validator's scoring before the epoch ends.
 */
export function defaultTempo(plugin: SubnetPlugin): number {
  return plugin.name === 'federated' ? 24 : 10;
}

/** Miners localnet starts when `--miners` is not given: 3 for echo, else one per tier. */
export function defaultMinerCount(plugin: SubnetPlugin): number {
  return plugin.name === 'echo' ? 3 : minerTiers(plugin).length;
}

/** `~/.subnetkit/localnet/<subnet>`: where localnet keeps a subnet's trained models. */
export function defaultLocalnetDataDir(subnet: string): string {
  return join(homedir(), '.subnetkit', 'localnet', subnet);
}

/**
 * Turns tiers into plugins the miner runs as they are: the tensor tiers load their model from
 * `<dataDir>/<tier>` (training it first, with progress in the log, when it is missing) and serve
 * the plugin's handlers with it; a baseline serves its own handlers. Each tier is prepared once.
 */
class TierPlugins {
  private readonly prepared = new Map<string, Promise<PreparedPluginMiner<unknown>>>();
  private backend: Promise<InferenceBackend> | undefined;

  constructor(
    private readonly plugin: SubnetPlugin,
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  private tensors(): Promise<InferenceBackend> {
    this.backend ??= selectBackend({ logger: this.log.child({ component: 'inference' }, { level: 'warn' }) });
    return this.backend;
  }

  async pluginFor(tier: MinerTier): Promise<{ plugin: SubnetPlugin; backend?: string }> {
    const plugin = this.plugin;
    if (tier.kind === 'plain') return { plugin };
    if (tier.kind === 'echo') {
      return {
        plugin: {
          ...plugin,
          miner: { ...plugin.miner, setup: () => makeEchoModel(tier.env) },
        } as SubnetPlugin,
      };
    }
    const { tf, backend, device } = await this.tensors();
    if (tier.kind === 'baseline') {
      const base = baselinePlugin(plugin, tier.baseline);
      return {
        plugin: { ...base, miner: { ...base.miner, setup: (ctx) => base.miner.setup({ ...ctx, tf }) } },
        backend: `${backend}/${device}`,
      };
    }
    let ready = this.prepared.get(tier.kind);
    if (!ready) {
      ready = this.prepare(tier.kind, tier.role, tf);
      this.prepared.set(tier.kind, ready);
    }
    const { pluginModel } = await ready;
    const { setup: _setup, model: _model, train: _train, ...handlers } = plugin.miner;
    return {
      // The model is loaded already: the miner only serves it with the plugin's handlers.
      plugin: { ...plugin, miner: { ...handlers, setup: () => pluginModel } } as SubnetPlugin,
      backend: `${backend}/${device}`,
    };
  }

  private async prepare(kind: 'trained' | 'under-trained', role: string, tf: InferenceBackend['tf']) {
    const dataDir = join(this.dataDir, kind);
    const trainOptions = kind === 'trained' ? {} : (this.plugin.miner.underTrained ?? DEFAULT_UNDER_TRAINED);
    const prepared = await setupPluginMiner(this.plugin, {
      dataDir,
      tf,
      log: this.log.child({ component: kind }, { level: 'warn' }),
      trainIfMissing: true,
      trainOptions,
      onProgress: (p) => this.log.info(`training the ${role} model: ${formatTrainProgress(p)}`),
    });
    const trained = prepared.trained;
    this.log.info(
      trained
        ? `${role}: trained in ${(trained.elapsedMs / 1000).toFixed(1)} s (${Object.entries(
            trained.result.metrics,
          )
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(', ')}), saved to ${prepared.dir}`
        : `${role}: model loaded from ${prepared.dir}`,
    );
    return prepared;
  }

  async dispose(): Promise<void> {
    for (const ready of this.prepared.values()) (await ready.catch(() => undefined))?.dispose();
  }
}

/**
 * Start a whole subnet on this machine: the devnet, a subnet with a staked validator, `miners`
 * miners registered with burned_register and serving their axons, and a validator running
 * evaluation rounds on Redis and setting weights every tempo. Everything talks over real sockets.
 */
export async function startLocalnet(opts: LocalnetOptions): Promise<Localnet> {
  const log = opts.logger;
  const serviceLevel = opts.serviceLogLevel ?? 'warn';
  const minerCount = opts.miners ?? defaultMinerCount(opts.plugin);
  if (minerCount > LOCALNET_MAX_UIDS - 1)
    throw new Error(
      `--miners ${minerCount}: a subnet holds ${LOCALNET_MAX_UIDS} uids and one is the validator's; use --miners ${LOCALNET_MAX_UIDS - 1} or fewer`,
    );
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const validatorKey = keyring.addFromUri('//Alice//validator');
  const scratchDir = mkdtempSync(join(tmpdir(), 'subnetkit-localnet-'));
  const redis: LocalRedis = await ensureRedis(opts.redis ?? 'redis://127.0.0.1:6379', (m) => log.info(m));
  const keyPrefix = `subnetkit:localnet:{${randomUUID()}}`;
  const cleanups: (() => Promise<void>)[] = [
    async () => rmSync(scratchDir, { recursive: true, force: true }),
    () => redis.stop(),
  ];
  const stopAll = async () => {
    for (const fn of cleanups.splice(0).reverse())
      await fn().catch((err) => log.warn({ err }, 'cleanup failed'));
  };
  try {
    // Models first: a first run trains them (minutes for a real subnet) before anything listens.
    const tierPlugins = new TierPlugins(
      opts.plugin,
      opts.dataDir ?? defaultLocalnetDataDir(opts.plugin.name),
      log,
    );
    cleanups.push(() => tierPlugins.dispose());
    const tiers = minerTiers(opts.plugin);
    const minerPlugins = [];
    for (let i = 0; i < minerCount; i++) {
      const tier = tiers[i % tiers.length]!;
      minerPlugins.push({ ...(await tierPlugins.pluginFor(tier)), role: tier.role });
    }

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
              tempo: opts.tempo ?? defaultTempo(opts.plugin),
              weightsRateLimit: 1,
              maxAllowedValidators: 8,
              maxAllowedUids: LOCALNET_MAX_UIDS,
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
      const { plugin, role, backend } = minerPlugins[i]!;
      roles.set(hotkey.address, role);
      const minerClient = await connect(devnet.url);
      cleanups.push(() => minerClient.close());
      const minerPeers = pluginPeers(plugin, hotkey, minerClient, LOCALNET_NETUID);
      if (minerPeers) cleanups.push(() => minerPeers.close());
      const miner = await startMiner({
        plugin,
        hotkey,
        netuid: LOCALNET_NETUID,
        chain: subtensorMinerChain(minerClient, hotkey),
        pluginChain: minerChainAccess(minerClient, LOCALNET_NETUID, hotkey),
        ...(minerPeers ? { peers: minerPeers } : {}),
        port: 0,
        host: '127.0.0.1',
        externalIp: '127.0.0.1',
        // Every miner syncs the metagraph from the one devnet in this process: at 2 s each, 255 miners
        // make ~128 syncs of a 256-uid metagraph per second and starve the devnet's block production.
        metagraphRefreshMs: Math.max(2_000, minerCount * 100),
        dataDir: mkdtempSync(join(scratchDir, `miner-${i}-`)),
        ...(backend ? { backend } : {}),
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
      pluginChain: subnetChainView(validatorClient, LOCALNET_NETUID),
      redis: redis.url,
      keyPrefix,
      dataDir: mkdtempSync(join(scratchDir, 'validator-')),
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

    const peers = pluginPeers(opts.plugin, validatorKey, client, LOCALNET_NETUID);
    if (peers) cleanups.push(() => peers.close());

    return {
      devnet,
      client,
      peers,
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
