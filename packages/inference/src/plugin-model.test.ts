import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineSubnet, type MinerTrainContext } from '@subnetkit/core';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceBackend } from './backend/select.js';
import { saveModel, WEIGHTS_BIN } from './io/fs-handler.js';
import {
  formatTrainProgress,
  loadPluginModel,
  ModelNotReadyError,
  ModelShapeError,
  pluginModelDir,
  setupPluginMiner,
  tensorsOf,
  trainPluginModel,
  trainProgress,
} from './plugin-model.js';
import { smallMlp, testBackend } from './test-support.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function plugin(outputs = 3) {
  return defineSubnet({
    name: 'tiny',
    versionKey: 1,
    synapses: {
      Score: {
        request: Type.Object({ x: Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }) }),
        response: Type.Object({ y: Type.Array(Type.Number(), { minItems: outputs, maxItems: outputs }) }),
      },
    },
    miner: {
      model: { synapse: 'Score', inputShape: [4], outputShape: [outputs] },
      train: async (ctx: MinerTrainContext) => {
        const tf = ctx.tf as InferenceBackend['tf'];
        const model = smallMlp(tf, 4, 8, outputs);
        const epochs = ctx.options.epochs ?? 2;
        const start = performance.now();
        for (let e = 1; e <= epochs; e++) ctx.progress(trainProgress(e, epochs, start, { loss: 1 / e }));
        await saveModel(model, ctx.modelDir);
        model.dispose();
        return { metrics: { accuracy: 0.5 }, examples: 0, epochs };
      },
      setup: (ctx) => tensorsOf(ctx).model,
      forward: { Score: () => ({ y: new Array(outputs).fill(0) }) },
    },
    validator: {
      challenge: () => ({ synapse: 'Score', request: { x: [0, 0, 0, 0] as number[] }, truth: 0 }),
      reward: (round) => round.responses.map(() => 0),
    },
  });
}

let backend: InferenceBackend;
let dataDir: string;
beforeAll(async () => {
  backend = await testBackend();
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'subnetkit-plugin-model-'));
  return dataDir;
}

describe('loadPluginModel', () => {
  it('refuses a missing model with one line naming subnetkit train', async () => {
    const dir = await freshDir();
    const err = await loadPluginModel(plugin(), { dataDir: dir, tf: backend.tf, log: silent }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelNotReadyError);
    const message = (err as Error).message;
    expect(message).toContain(`no trained model in ${path.join(dir, 'model')}`);
    expect(message).toContain('run `subnetkit train --subnet tiny`');
    expect(message).not.toContain('\n');
  });

  it('trains a missing model when allowed, with progress, then loads it back', async () => {
    const dir = await freshDir();
    const reports: string[] = [];
    const loaded = await loadPluginModel(plugin(), {
      dataDir: dir,
      tf: backend.tf,
      log: silent,
      trainIfMissing: true,
      trainOptions: { epochs: 3 },
      onProgress: (p) => reports.push(formatTrainProgress(p)),
    });
    expect(loaded.trained?.result.epochs).toBe(3);
    expect(reports).toHaveLength(3);
    expect(reports[2]).toMatch(/^epoch 3\/3 \[#{20}\] loss 0\.3333 /);
    expect(loaded.model.outputs[0]!.shape).toEqual([null, 3]);
    // The next start loads what was saved, without training.
    const again = await loadPluginModel(plugin(), { dataDir: dir, tf: backend.tf, log: silent });
    expect(again.trained).toBeUndefined();
    const setupModel = plugin().miner.setup({
      dataDir: dir,
      log: silent,
      signal: new AbortController().signal,
      tensorModel: again.model,
    });
    expect(setupModel).toBe(again.model);
    loaded.model.dispose();
    again.model.dispose();
  });

  it('refuses a corrupt model (truncated weights) and does not retrain over it', async () => {
    const dir = await freshDir();
    const model = smallMlp(backend.tf, 4, 8, 3);
    await saveModel(model, pluginModelDir(plugin(), dir));
    model.dispose();
    await writeFile(path.join(dir, 'model', WEIGHTS_BIN), new Uint8Array(10));
    const err = await loadPluginModel(plugin(), {
      dataDir: dir,
      tf: backend.tf,
      log: silent,
      trainIfMissing: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotReadyError);
    expect((err as Error).message).toMatch(
      /cannot be loaded \(weights in .* are 10 bytes .*\); run `subnetkit train --subnet tiny`/,
    );
  });

  it('refuses a model whose output shape does not match the synapse, at load time', async () => {
    const dir = await freshDir();
    const wrong = smallMlp(backend.tf, 4, 8, 5);
    await saveModel(wrong, pluginModelDir(plugin(), dir));
    wrong.dispose();
    await expect(loadPluginModel(plugin(3), { dataDir: dir, tf: backend.tf, log: silent })).rejects.toThrow(
      new ModelShapeError(
        'subnet tiny: the model outputs [5] per example but synapse Score answers with [3]; retrain it with `subnetkit train --subnet tiny`',
      ),
    );
    // The same check guards a freshly trained model.
    const err = await trainPluginModel(
      {
        ...plugin(3),
        miner: { ...plugin(3).miner, model: { synapse: 'Score', inputShape: [2], outputShape: [3] } },
      },
      { dataDir: await freshDir(), tf: backend.tf, log: silent },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/takes \[4\] per example but synapse Score sends \[2\]/);
  });

  it('setupPluginMiner trains on first start and hands the model to setup', async () => {
    const dir = await freshDir();
    const prepared = await setupPluginMiner(plugin(), {
      dataDir: dir,
      tf: backend.tf,
      log: silent,
      trainIfMissing: true,
    });
    expect(prepared.trained?.result.epochs).toBe(2);
    expect(prepared.pluginModel).toBe(prepared.model);
    prepared.dispose();
    await expect(setupPluginMiner(plugin(5), { dataDir: dir, tf: backend.tf, log: silent })).rejects.toThrow(
      ModelShapeError,
    );
  });

  it('tensorsOf names the fix when setup got no model', () => {
    expect(() => tensorsOf({ dataDir: '/x', log: silent, signal: new AbortController().signal })).toThrow(
      /declare miner.model/,
    );
  });
});
