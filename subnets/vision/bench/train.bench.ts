/**
 * Training the vision subnet's model as `subnetkit train --subnet vision` does: the plugin's own
 * `miner.train` through `trainPluginModel` (all 8,004 training digits, default epochs and
 * augmentation) on the wasm backend, then its accuracy on the 1,996 untransformed held-out digits.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { selectBackend, trainPluginModel } from '@subnetkit/inference';
import vision, { TRAIN_DEFAULTS } from '@subnetkit/subnet-vision';
import { pino } from 'pino';
import type { Figure } from '../../../bench/harness.js';

export default async function visionTrainBench(): Promise<Figure[]> {
  const selected = await selectBackend({ backend: 'wasm', logger: pino({ level: 'silent' }) });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'subnetkit-vision-bench-'));
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  try {
    const trained = await trainPluginModel(vision, { dataDir, tf: selected.tf, log: silent });
    trained.model.dispose();
    const { accuracy, distorted_accuracy: distorted } = trained.result.metrics;
    const what = `${trained.result.examples} digits, ${trained.result.epochs} epochs (batch ${TRAIN_DEFAULTS.batchSize}, half of each epoch distorted), 784-256-128-10 MLP, ${selected.backend} backend (${selected.device})`;
    return [
      {
        name: 'vision.train_s',
        value: Number((trained.elapsedMs / 1000).toFixed(1)),
        unit: 's',
        note: `miner.train via trainPluginModel (load digits, train, evaluate, save): ${what}; target <= 300`,
      },
      {
        name: 'vision.test_accuracy',
        value: Number(accuracy!.toFixed(4)),
        unit: 'ratio',
        note: `on the 1,996 untransformed held-out digits (${(distorted! * 100).toFixed(1)}% on the same digits distorted as in challenges); ${what}; target >= 0.95`,
      },
    ];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await visionTrainBench()) console.log(`${f.name} = ${f.value} ${f.unit}  (${f.note})`);
}
