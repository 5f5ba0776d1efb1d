/**
 * `subnetkit train --subnet <name>`: run a subnet plugin's `miner.train` on the selected TensorFlow.js
 * backend, with a progress bar (epoch, loss, accuracy, ETA), and save the model where
 * `subnetkit miner` loads it (`<data dir>/model`).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { SubnetPlugin, TrainProgress } from '@subnetkit/core';
import {
  type BackendPreference,
  formatTrainProgress,
  pluginModelDir,
  selectBackend,
  type TrainedPluginModel,
  trainPluginModel,
} from '@subnetkit/inference';
import { defaultDataDir } from '@subnetkit/miner';
import type { Command } from 'commander';
import { createLogger } from '../logger.js';
import { schemaArg } from '../options.js';
import { loadSubnetPlugin } from '../plugin-loader.js';

/** `--backend`: auto or one TensorFlow.js backend kind (shared with `subnetkit miner`). */
export const BackendSchema = Type.Optional(
  Type.Union([
    Type.Literal('auto'),
    Type.Literal('gpu'),
    Type.Literal('node'),
    Type.Literal('wasm'),
    Type.Literal('cpu'),
  ]),
);

/** Where progress goes: a stream (a bar redrawn in place on a TTY) and, off a TTY, one plain line per epoch. */
export interface ProgressPrinterOptions {
  stream?: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  /** Writes one plain line (off a TTY); default: the line to `stream`. */
  line?: (text: string) => void;
}

/**
 * A `TrainProgress` callback: on a TTY it redraws one progress-bar line in place (a newline after
 * the last epoch); otherwise it writes one plain line per epoch, for logs and CI.
 */
export function trainProgressPrinter(options: ProgressPrinterOptions = {}): (report: TrainProgress) => void {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const line = options.line ?? ((text: string) => void stream.write(`${text}\n`));
  return (report) => {
    const text = formatTrainProgress(report, 30);
    if (!tty) return line(text);
    stream.write(`\r\x1b[2K${text}`);
    if (report.epoch >= report.epochs) stream.write('\n');
  };
}

const Positive = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });

/** Flags of `subnetkit train`. */
export interface TrainFlags {
  subnet: string;
  dataDir?: string;
  epochs?: number;
  subset?: number;
  seed?: number;
  backend?: Static<typeof BackendSchema>;
}

/** One line summing up a training run. */
export function describeTrainedModel(
  plugin: SubnetPlugin,
  trained: TrainedPluginModel,
  backend: string,
): string {
  const figures = Object.entries(trained.result.metrics)
    .map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(4)}`)
    .join(', ');
  return `trained subnet ${plugin.name} in ${(trained.elapsedMs / 1000).toFixed(1)} s on ${backend} (${trained.result.examples} examples, ${trained.result.epochs} epochs): ${figures || 'no figures'}; saved to ${trained.dir}`;
}

/**
 * Trains the plugin's model and saves it to `<dataDir>/<miner.model.dir>`. Resolves with the
 * trained model (disposed by the caller) once it was saved, loaded back and shape-checked.
 */
export async function runTrain(
  flags: TrainFlags,
  progress: (report: TrainProgress) => void = trainProgressPrinter(),
): Promise<{ trained: TrainedPluginModel; summary: string }> {
  const log = createLogger('train');
  const plugin = await loadSubnetPlugin(flags.subnet);
  if (!plugin.miner.model) {
    throw new Error(
      `--subnet ${flags.subnet}: subnet ${plugin.name} serves no tensor model (no miner.model); there is nothing to train`,
    );
  }
  if (!plugin.miner.train) {
    throw new Error(
      `--subnet ${flags.subnet}: subnet ${plugin.name} cannot train its model here (no miner.train); put a trained model.json + weights.bin in ${pluginModelDir(plugin, flags.dataDir ?? defaultDataDir(plugin.name))}`,
    );
  }
  const dataDir = flags.dataDir ?? defaultDataDir(plugin.name);
  const backend = await selectBackend({
    logger: log,
    ...(flags.backend ? { backend: flags.backend as BackendPreference } : {}),
  });
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('training interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log.info(
      `training subnet ${plugin.name} on ${backend.backend}/${backend.device}; model goes to ${pluginModelDir(plugin, dataDir)}`,
    );
    const trained = await trainPluginModel(plugin, {
      dataDir,
      tf: backend.tf,
      log,
      signal: abort.signal,
      trainOptions: {
        ...(flags.epochs ? { epochs: flags.epochs } : {}),
        ...(flags.subset ? { subset: flags.subset } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      },
      onProgress: progress,
    });
    return {
      trained,
      summary: describeTrainedModel(plugin, trained, `${backend.backend}/${backend.device}`),
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Registers `subnetkit train`. */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description(
      "Train a subnet's miner model locally (with a progress bar) and save it where `subnetkit miner` loads it",
    )
    .requiredOption(
      '--subnet <name or path>',
      'subnet plugin: vision, forecast, a package name or a path to a built .js module',
    )
    .option(
      '--data-dir <dir>',
      'data directory of the miner; the model goes to <dir>/model (default ~/.subnetkit/data/<subnet>, the miner default; env SUBNETKIT_DATA_DIR)',
    )
    .option('--epochs <n>', "epochs to train (default: the subnet's own)", schemaArg('--epochs', Positive))
    .option(
      '--subset <n>',
      'train on at most this many examples (quick runs, tests)',
      schemaArg('--subset', Positive),
    )
    .option(
      '--seed <n>',
      'seed for initialisation and shuffling',
      schemaArg('--seed', Type.Integer({ minimum: 0 })),
    )
    .option(
      '--backend <kind>',
      'TensorFlow.js backend: auto (gpu > node > wasm > cpu) or gpu|node|wasm|cpu (default $SUBNETKIT_TF_BACKEND, else auto)',
      schemaArg('--backend', BackendSchema),
    )
    .addHelpText(
      'after',
      `
On a terminal the progress is one bar redrawn every epoch (epoch, loss, accuracy, elapsed, ETA);
otherwise one line per epoch. Ctrl-C stops after the current epoch without saving.

Examples:
  subnetkit train --subnet vision                       # then: subnetkit miner --subnet vision ...
  subnetkit train --subnet vision --subset 2000 --epochs 3 --data-dir ./vision-data
  subnetkit train --subnet forecast --backend wasm`,
    )
    .action(async (flags: TrainFlags) => {
      const env = process.env.SUBNETKIT_DATA_DIR;
      const { trained, summary } = await runTrain({
        ...flags,
        ...(flags.dataDir === undefined && env ? { dataDir: env } : {}),
      });
      trained.model.dispose();
      console.log(summary);
    });
}
