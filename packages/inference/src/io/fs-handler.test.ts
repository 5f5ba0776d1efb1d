import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceBackend } from '../backend/select.js';
import { tensorBatchRunner } from '../tensor/batch-runner.js';
import { smallMlp, testBackend } from '../test-support.js';
import { loadGraphModel, loadModel, ModelFileError, saveModel } from './fs-handler.js';

let backend: InferenceBackend;
const root = mkdtempSync(path.join(tmpdir(), 'subnetkit-models-'));
let dirCount = 0;
const freshDir = () => path.join(root, `m${dirCount++}`);

beforeAll(async () => {
  backend = await testBackend();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Saves the small MLP into a new directory and returns it. */
async function savedMlp(): Promise<string> {
  const model = smallMlp(backend.tf);
  const dir = freshDir();
  await saveModel(model, dir);
  model.dispose();
  return dir;
}

/** A minimal TensorFlow GraphDef (as the converter writes it): y = x · w with w = [[3], [4]]. */
function writeGraphModel(dir: string): void {
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'handwritten',
    convertedBy: 'subnetkit test',
    modelTopology: {
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } },
          },
        },
        {
          name: 'w',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '1' }] } } },
          },
        },
        {
          name: 'y',
          op: 'MatMul',
          input: ['x', 'w'],
          attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
        },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [2, 1], dtype: 'float32' }] }],
  };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(new Float32Array([3, 4]).buffer));
}

describe('saveModel / loadModel', () => {
  it('round-trips a layers model: same predictions after load', async () => {
    const { tf } = backend;
    const model = smallMlp(tf);
    const x = tf.tensor2d([
      [0.1, -0.2, 0.3, 0.4],
      [1, 2, 3, 4],
    ]);
    const before = (model.predict(x) as ReturnType<typeof tf.zeros>).arraySync();
    const dir = freshDir(); // does not exist yet: saveModel creates it
    const result = await saveModel(model, dir);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((4 * 8 + 8 + 8 * 3 + 3) * 4);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'weights.bin'))).toBe(true);
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    expect(json.modelTopology.class_name).toBe('Sequential');

    const loaded = await loadModel(dir, { tf });
    const after = (loaded.predict(x) as ReturnType<typeof tf.zeros>).arraySync();
    expect(after).toEqual(before);
    // Saving again over the same directory replaces it cleanly.
    await saveModel(loaded, dir);
    expect((await loadModel(dir)).countParams()).toBe(model.countParams());
    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('loads a graph model and round-trips it through save', async () => {
    const { tf } = backend;
    const dir = freshDir();
    mkdirSync(dir);
    writeGraphModel(dir);
    const graph = await loadGraphModel(dir, { tf });
    const x = tf.tensor2d([[1, 2]]);
    const y = graph.predict(x) as ReturnType<typeof tf.zeros>;
    expect(y.arraySync()).toEqual([[11]]);
    // Graph models plug into the batch runner too (input shape [-1, 2] from the GraphDef).
    const run = tensorBatchRunner(graph, { tf });
    expect(run.inputShape).toEqual([2]);
    expect(
      (
        await run([
          [1, 2],
          [0, 1],
        ])
      ).map((r) => Array.from(r)),
    ).toEqual([[11], [4]]);
    const copy = freshDir();
    await saveModel(graph, copy);
    const again = await loadGraphModel(copy, { tf });
    const y2 = again.predict(x) as ReturnType<typeof tf.zeros>;
    expect(y2.arraySync()).toEqual([[11]]);
    tf.dispose([x, y, y2]);
    graph.dispose();
    again.dispose();
  });

  it('a missing directory is a clear error naming the fix', async () => {
    const dir = path.join(root, 'does-not-exist');
    const error = await loadModel(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toBe(
      `no model.json in ${dir}: the directory is missing or holds no saved model; save one with saveModel(model, dir)`,
    );
  });

  it('corrupt model.json is reported as such', async () => {
    const dir = await savedMlp();
    writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {');
    await expect(loadModel(dir)).rejects.toThrow(/model\.json is not valid JSON .*re-save the model/);
    writeFileSync(path.join(dir, 'model.json'), '{"weights": []}');
    await expect(loadModel(dir)).rejects.toThrow(/has no modelTopology/);
    writeFileSync(
      path.join(dir, 'model.json'),
      '{"modelTopology": {"nonsense": true}, "weightsManifest": []}',
    );
    const error = await loadModel(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toMatch(/^cannot build a layers model from .*model\.json: /);
  });

  it('missing or truncated weights are reported, never loaded as garbage', async () => {
    const dir = await savedMlp();
    const weights = readFileSync(path.join(dir, 'weights.bin'));
    writeFileSync(path.join(dir, 'weights.bin'), weights.subarray(0, weights.length - 8));
    await expect(loadModel(dir)).rejects.toThrow(
      `weights in ${path.resolve(dir)} are ${weights.length - 8} bytes but model.json describes ${weights.length}`,
    );
    rmSync(path.join(dir, 'weights.bin'));
    await expect(loadModel(dir)).rejects.toThrow(/weight file .*weights\.bin is missing; re-save the model/);
  });

  it('refuses weight paths that escape the model directory', async () => {
    const dir = await savedMlp();
    const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../../etc/passwd'];
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(
      /names weight file '..\/..\/etc\/passwd' outside the directory/,
    );
  });
});
