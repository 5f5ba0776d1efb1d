import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  defaultLocalnetDataDir,
  type Localnet,
  type LocalnetNeuron,
  rankByWeight,
  startLocalnet,
} from '../localnet/localnet.js';
import { type MetricsTarget, prometheusConfig } from '../localnet/prometheus-config.js';
import { selectBackend } from '@subnetkit/inference';
import {
  formatFederatedRound,
  formatFederatedSummary,
  watchFederatedRounds,
} from '../localnet/federated-report.js';
import { createLogger, quietChildLevel } from '../logger.js';
import { loadSubnetPlugin } from '../plugin-loader.js';

interface LocalnetFlags {
  subnet: string;
  miners?: number;
  dataDir?: string;
  port: number;
  blockTime: number;
  tempo?: number;
  redis: string;
  rounds: number;
  timeout: number;
  keepRunning?: boolean;
  prometheusConfig?: string;
  json?: boolean;
}

function intFlag(name: string, min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} ${raw}: expected a whole number >= ${min}`);
    return n;
  };
}

function printTable(neurons: LocalnetNeuron[], block: number): void {
  console.log(
    `metagraph of netuid 1 at block ${block}; weight = the validator's u16 weight stored on chain; incentive and emission (α) from the last epoch`,
  );
  console.table(
    neurons.map((n) => ({
      uid: n.uid,
      role: n.role,
      hotkey: `${n.hotkey.slice(0, 10)}…`,
      axon: n.axon,
      'ema score': n.score === undefined ? '-' : n.score.toFixed(4),
      weight: n.weight,
      incentive: n.incentive.toFixed(5),
      emission: n.emission.toFixed(6),
    })),
  );
}

function printMetricsTargets(targets: MetricsTarget[], configFile: string | undefined): void {
  console.log('metrics (Prometheus):');
  const width = Math.max(...targets.map((t) => t.service.length));
  for (const t of targets) console.log(`  ${t.service.padEnd(width)}  ${t.url}`);
  if (configFile)
    console.log(
      `scrape config written to ${configFile}: prometheus --config.file=${configFile} (with --keep-running)`,
    );
}

/**
 * Wait until `rounds` rounds were scored and the validator's weights on chain were set after
 * them, then return the snapshot.
 */
async function waitForWeights(net: Localnet, rounds: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let scoredAt: number | undefined;
  for (;;) {
    const scored = await net.roundsScored();
    const state = await net.validator.weightsState();
    if (scored >= rounds && scoredAt === undefined) scoredAt = net.devnet.bestNumber();
    if (scoredAt !== undefined && (state.lastBlock ?? 0) > scoredAt) {
      const snap = await net.snapshot();
      if (snap.weightsSet) return snap;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `localnet: after ${timeoutMs / 1000} s, ${scored} of ${rounds} rounds were scored and weights were last set at block ${state.lastBlock ?? 'never'}${state.lastError ? ` (last error: ${state.lastError})` : ''}; raise --timeout or check the logs`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The federated subnet's report: per round, the subnet model's held-out accuracy and each miner's
 * incentive; at the end, the model against the best honest miner trained alone, and the adversaries' weight.
 */
async function reportFederated(net: Localnet, flags: LocalnetFlags): Promise<void> {
  const { tf } = await selectBackend({ logger: createLogger('inference').child({}, { level: 'warn' }) });
  if (!flags.json)
    console.log(
      `federated rounds (two epochs each): accuracy on held-out digits no validator scores on, the model rebuilt from chain state and the miners' committed updates; incentive = share of the miners' incentive that weighted the round's aggregation`,
    );
  const report = await watchFederatedRounds(net, tf, {
    rounds: flags.rounds,
    timeoutMs: flags.timeout * 1000,
    onRound: (row) => {
      if (!flags.json) console.log(formatFederatedRound(row));
    },
  });
  if (flags.json) {
    const { finalModel: _bytes, ...rest } = report;
    console.log(JSON.stringify({ url: net.devnet.url, netuid: net.netuid, ...rest }, null, 2));
    return;
  }
  console.log(
    `initial model ${report.initialAccuracy.toFixed(3)}; local-only (each honest shard alone, same rounds): ${Object.entries(
      report.localOnly,
    )
      .map(([name, acc]) => `${name} ${acc.toFixed(3)}`)
      .join(', ')}`,
  );
  console.log(formatFederatedSummary(report));
}

/** `subnetkit localnet`: a whole subnet on this machine in one command. */
export function registerLocalnetCommand(program: Command): void {
  program
    .command('localnet')
    .description(
      'start a whole local subnet in one process: devnet, a staked validator, miners serving axons, evaluation rounds on Redis and weights on chain',
    )
    .option(
      '--subnet <name, package or path>',
      'subnet to run: echo, vision, forecast, federated, a package name or a subnet package directory',
      'echo',
    )
    .option(
      '--miners <n>',
      'number of miners, taking the quality tiers in turn, at most 255 (256 uids with the validator; default: 3 for echo; trained, under-trained and each baseline for a subnet with a model)',
      intFlag('miners', 1),
    )
    .option(
      '--data-dir <dir>',
      `where trained models are kept between runs (default ${defaultLocalnetDataDir('<subnet>')})`,
    )
    .option('--port <n>', 'devnet WebSocket port (0 picks a free one)', intFlag('port', 0), 9944)
    .option('--block-time <ms>', 'devnet block time in ms', intFlag('block-time', 10), 250)
    .option(
      '--tempo <blocks>',
      'blocks per tempo (the validator sets weights once per tempo; default 10, 24 for federated)',
      intFlag('tempo', 1),
    )
    .option(
      '--redis <url>',
      'Redis for the validator (a private redis-server is started when none answers)',
      'redis://127.0.0.1:6379',
    )
    .option(
      '--rounds <n>',
      'evaluation rounds to score before reporting the weights (federated: rounds to report)',
      intFlag('rounds', 1),
      6,
    )
    .option(
      '--timeout <s>',
      'give up when weights are not on chain after this many seconds',
      intFlag('timeout', 1),
      180,
    )
    .option('--keep-running', 'keep the subnet running after the report, until Ctrl-C')
    .option(
      '--prometheus-config <file>',
      "write a Prometheus scrape config for the miners', validator's and exporter's /metrics to this file",
    )
    .option('--json', 'print the report as JSON')
    .action(async (flags: LocalnetFlags) => {
      const logger = createLogger('localnet');
      const plugin = await loadSubnetPlugin(flags.subnet);
      const net = await startLocalnet({
        plugin,
        ...(flags.miners !== undefined ? { miners: flags.miners } : {}),
        ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
        port: flags.port,
        blockTimeMs: flags.blockTime,
        ...(flags.tempo !== undefined ? { tempo: flags.tempo } : {}),
        redis: flags.redis,
        logger,
        serviceLogLevel: quietChildLevel(),
      });
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await net.stop();
      };
      process.once('SIGINT', () => void stop().then(() => process.exit(130)));
      process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
      try {
        const configFile = flags.prometheusConfig ? resolve(flags.prometheusConfig) : undefined;
        if (configFile) writeFileSync(configFile, prometheusConfig(net.metricsTargets));
        if (!flags.json) printMetricsTargets(net.metricsTargets, configFile);
        if (plugin.name === 'federated') {
          await reportFederated(net, flags);
          if (flags.keepRunning) {
            logger.info('running until Ctrl-C');
            await new Promise(() => {});
          }
          return;
        }
        const snap = await waitForWeights(net, flags.rounds, flags.timeout * 1000);
        if (flags.json) {
          console.log(
            JSON.stringify(
              { url: net.devnet.url, netuid: net.netuid, metrics: net.metricsTargets, ...snap },
              null,
              2,
            ),
          );
        } else {
          printTable(snap.neurons, snap.block);
          console.log(`weights rank the miners: ${rankByWeight(snap.neurons)}`);
          console.log(
            `subnet "${plugin.name}" ran ${await net.roundsScored()} rounds; the validator's weights are on chain at ${net.devnet.url}`,
          );
        }
        if (flags.keepRunning) {
          logger.info('running until Ctrl-C');
          await new Promise(() => {});
        }
      } finally {
        await stop();
      }
    });
}
