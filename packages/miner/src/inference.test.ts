/**
 * A miner serving a tensor plugin: backend selection, model load from the data dir (or training on
 * first start), warm-up, batched serving through the tensor batch runner, the inference metrics on
 * /metrics and the backend on /healthz; and the start-up refusals (missing, corrupt, wrong shape).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Type } from '@sinclair/typebox';
import { defineSubnet, type MinerTrainContext, signRequest, type TrainProgress } from '@subnetkit/core';
import {
  type InferenceBackend,
  saveModel,
  selectBackend,
  type Tf,
  tensorsOf,
  trainProgress,
} from '@subnetkit/inference';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MinerChain } from './metagraph.js';
import { startMiner } from './miner.js';

const silent = pino({ level: 'silent' });
let backend: InferenceBackend;
let keyring: Keyring;
const dirs: string[] = [];

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
  backend = await selectBackend({ backend: 'wasm', logger: silent });
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'miner-inference-'));
  dirs.push(dir);
  return dir;
}

/** A 4 -> 3 dense model with fixed weights. */
function tinyModel(tf: Tf, outputs = 3) {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: outputs,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
}

/** A tensor plugin: `Score` maps 4 numbers to 3 through the model, batched through tensorsOf(ctx).run. */
const tiny = defineSubnet({
  name: 'tiny',
  versionKey: 1,
  synapses: {
    Score: {
      request: Type.Object({ x: Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }) }),
      response: Type.Object({ y: Type.Array(Type.Number(), { minItems: 3, maxItems: 3 }) }),
    },
  },
  miner: {
    model: { synapse: 'Score', inputShape: [4], outputShape: [3] },
    train: async (ctx: MinerTrainContext) => {
      const started = performance.now();
      const model = tinyModel(ctx.tf as Tf);
      ctx.progress(trainProgress(1, 1, started, { loss: 0.5, accuracy: 0.9 }));
      await saveModel(model, ctx.modelDir);
      model.dispose();
      return { metrics: { accuracy: 0.9 }, examples: 10, epochs: 1 };
    },
    setup: (ctx) => tensorsOf(ctx),
    forward: {
      Score: async (req, ctx) => ({ y: Array.from((await ctx.model.run([req.x]))[0]!) }),
    },
    forwardBatch: {
      Score: async (reqs, ctx) =>
        (await ctx.model.run(reqs.map((r) => r.x))).map((row) => ({ y: Array.from(row) })),
    },
  },
  validator: {
    challenge: () => ({ synapse: 'Score', request: { x: [0, 0, 0, 0] as number[] }, truth: 0 }),
    reward: (round) => round.responses.map(() => 0),
  },
});

function chainFor(miner: string, validator: string): MinerChain {
  return {
    metagraph: async () => ({ hotkeys: [miner, validator], stake: [0, 100], validatorPermit: [false, true] }),
    axonOf: async () => undefined,
    serveAxon: async () => {},
  };
}

async function start(dataDir: string, extra: Partial<Parameters<typeof startMiner>[0]> = {}) {
  const minerKey = keyring.addFromUri('//Bob');
  const validator = keyring.addFromUri('//Alice');
  const running = await startMiner({
    plugin: tiny,
    hotkey: minerKey,
    netuid: 2,
    chain: chainFor(minerKey.address, validator.address),
    port: 0,
    host: '127.0.0.1',
    skipAnnounce: true,
    dataDir,
    logger: silent,
    inference: { selected: backend },
    ...extra,
  });
  return { running, minerKey, validator };
}

describe('a miner serving a tensor model', () => {
  it('loads the model from the data dir, serves batched requests, exports the inference metrics and the backend', async () => {
    const dataDir = await freshDir();
    const model = tinyModel(backend.tf);
    await saveModel(model, path.join(dataDir, 'model'));
    const expected = Array.from(
      (model.predict(backend.tf.tensor2d([[1, 2, 3, 4]])) as { dataSync(): Float32Array }).dataSync(),
    );
    model.dispose();
    const { running, minerKey, validator } = await start(dataDir, {
      batch: { maxBatchSize: 8, maxWaitMs: 5 },
    });
    try {
      expect(running.backend).toBe(`wasm/${backend.device}`);
      expect(running.inference?.dir).toBe(path.join(dataDir, 'model'));
      const body = JSON.stringify({ x: [1, 2, 3, 4] });
      const answers = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const headers = await signRequest({
            signer: validator,
            method: 'POST',
            target: '/Score',
            body,
            receiver: minerKey.address,
          });
          const res = await fetch(`${running.url}/Score`, { method: 'POST', headers, body });
          expect(res.status).toBe(200);
          return ((await res.json()) as { y: number[] }).y;
        }),
      );
      for (const y of answers) {
        y.forEach((v, i) => {
          expect(v).toBeCloseTo(expected[i]!, 5);
        });
      }

      const health = (await (await fetch(`${running.url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({
        backend: `wasm/${backend.device}`,
        inference: { backend: 'wasm', device: backend.device, modelDir: path.join(dataDir, 'model') },
      });
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toContain(`subnetkit_inference_backend_info{backend="wasm",device="${backend.device}"`);
      expect(metrics).toMatch(/subnetkit_inference_queue_depth\{[^}]*model="Score"[^}]*\} 0/);
      const count = metrics.match(/subnetkit_inference_batch_size_count\{[^}]*model="Score"[^}]*\} (\d+)/);
      const sum = metrics.match(/subnetkit_inference_batch_size_sum\{[^}]*model="Score"[^}]*\} (\d+)/);
      expect(Number(sum?.[1])).toBe(6);
      // Six concurrent requests, at most 8 per batch, waiting up to 5 ms: fewer batches than requests.
      expect(Number(count?.[1])).toBeLessThan(6);
      expect(metrics).toMatch(/subnetkit_inference_batch_duration_seconds_count\{[^}]*model="Score"/);
    } finally {
      await running.stop();
    }
  });

  it('refuses to start without a model, in one line naming subnetkit train', async () => {
    const dataDir = await freshDir();
    const err = (await start(dataDir).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(`no trained model in ${path.join(dataDir, 'model')}`);
    expect(err.message).toContain('`subnetkit train --subnet tiny`');
    expect(err.message).not.toContain('\n');
  });

  it('refuses a corrupt model, naming subnetkit train', async () => {
    const dataDir = await freshDir();
    await saveModel(tinyModel(backend.tf), path.join(dataDir, 'model'));
    await writeFile(path.join(dataDir, 'model', 'weights.bin'), Buffer.alloc(3));
    await expect(start(dataDir)).rejects.toThrow(/cannot be loaded .*subnetkit train --subnet tiny/);
  });

  it('refuses at start a model whose output shape does not match the synapse', async () => {
    const dataDir = await freshDir();
    const wrong = tinyModel(backend.tf, 5);
    await saveModel(wrong, path.join(dataDir, 'model'));
    wrong.dispose();
    await expect(start(dataDir)).rejects.toThrow(
      'subnet tiny: the model outputs [5] per example but synapse Score answers with [3]',
    );
  });

  it('trains a missing model on first start when allowed, reporting progress', async () => {
    const dataDir = await freshDir();
    const progress: TrainProgress[] = [];
    const { running } = await start(dataDir, {
      inference: { selected: backend, trainIfMissing: true, onTrainProgress: (p) => progress.push(p) },
    });
    try {
      expect(progress).toMatchObject([{ epoch: 1, epochs: 1, loss: 0.5, accuracy: 0.9 }]);
      expect(running.inference?.trained?.metrics).toEqual({ accuracy: 0.9 });
    } finally {
      await running.stop();
    }
    // Second start: the saved model is loaded, nothing is trained again.
    const again = await start(dataDir, {
      inference: { selected: backend, trainIfMissing: true, onTrainProgress: (p) => progress.push(p) },
    });
    await again.running.stop();
    expect(again.running.inference?.trained).toBeUndefined();
    expect(progress).toHaveLength(1);
  });
});
