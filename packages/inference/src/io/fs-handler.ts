import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../backend/select.js';

/** File names inside a model directory (the layout tfjs-node's `file://` handler uses). */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** The model directory or its files are missing, unreadable, or inconsistent. */
export class ModelFileError extends Error {
  readonly code = 'INFERENCE_MODEL_FILE';
  constructor(
    message: string,
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelFileError';
  }
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/** Bytes the weights in `specs` occupy in weights.bin (quantised weights count their stored dtype). */
export function expectedWeightBytes(specs: tfjs.io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    if (dtype === 'string') {
      throw new Error(`weight '${spec.name}' has dtype string, which this loader does not support`);
    }
    const bytes = DTYPE_BYTES[dtype];
    if (bytes === undefined) throw new Error(`weight '${spec.name}' has unknown dtype '${dtype}'`);
    total += spec.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

function joinWeightData(data: tfjs.io.WeightData | undefined): Uint8Array<ArrayBuffer> {
  if (data === undefined) return new Uint8Array(0);
  return concatBytes((Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b)));
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  // Write then rename, so a crash mid-save never leaves a half-written model behind.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** Reads and checks `<dir>/model.json`. */
async function readModelJson(dir: string): Promise<tfjs.io.ModelJSON> {
  const file = path.join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) {
      throw new ModelFileError(
        `no ${MODEL_JSON} in ${dir}: the directory is missing or holds no saved model; save one with saveModel(model, dir)`,
        dir,
        { cause: err },
      );
    }
    throw new ModelFileError(`cannot read ${file}: ${(err as Error).message}`, dir, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(
      `${file} is not valid JSON (${(err as Error).message}); re-save the model`,
      dir,
      {
        cause: err,
      },
    );
  }
  const modelJson = json as Partial<tfjs.io.ModelJSON> | null;
  if (typeof modelJson !== 'object' || modelJson === null || typeof modelJson.modelTopology !== 'object') {
    throw new ModelFileError(`${file} has no modelTopology: it is not a TensorFlow.js model.json`, dir);
  }
  if (modelJson.weightsManifest !== undefined && !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelFileError(`${file}: weightsManifest must be an array`, dir);
  }
  return modelJson as tfjs.io.ModelJSON;
}

/** Reads the weight files named in the manifest, checking they stay inside `dir` and add up. */
async function readWeights(
  dir: string,
  manifest: tfjs.io.WeightsManifestConfig,
): Promise<[tfjs.io.WeightsManifestEntry[], ArrayBuffer]> {
  const specs: tfjs.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(`${MODEL_JSON} in ${dir}: a weightsManifest group lacks paths/weights`, dir);
    }
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = path.resolve(dir, p);
      // A model.json must not make us read files outside its own directory.
      if (path.dirname(file) !== path.resolve(dir)) {
        throw new ModelFileError(
          `${MODEL_JSON} in ${dir} names weight file '${p}' outside the directory`,
          dir,
        );
      }
      try {
        parts.push(await readFile(file));
      } catch (err) {
        const what = isErrno(err, 'ENOENT') ? 'is missing' : `cannot be read (${(err as Error).message})`;
        throw new ModelFileError(`weight file ${file} ${what}; re-save the model with saveModel`, dir, {
          cause: err,
        });
      }
    }
  }
  const joined = concatBytes(parts);
  let expected: number;
  try {
    expected = expectedWeightBytes(specs);
  } catch (err) {
    throw new ModelFileError(`${MODEL_JSON} in ${dir}: ${(err as Error).message}`, dir, { cause: err });
  }
  if (joined.byteLength !== expected) {
    throw new ModelFileError(
      `weights in ${dir} are ${joined.byteLength} bytes but ${MODEL_JSON} describes ${expected}: ` +
        'the weight file is truncated, corrupt, or from a different model; re-save the model',
      dir,
    );
  }
  return [specs, joined.buffer];
}

/**
 * A tfjs IOHandler that saves to / loads from a directory: `model.json` (modelTopology +
 * weightsManifest) and `weights.bin`, the layout tfjs-node's `file://` handler writes, so models
 * move between pure tfjs and tfjs-node. Pass it to `model.save()`, `tf.loadLayersModel()` or
 * `tf.loadGraphModel()`.
 */
export function fileSystemHandler(dir: string): tfjs.io.IOHandler {
  const root = path.resolve(dir);
  return {
    async save(artifacts: tfjs.io.ModelArtifacts): Promise<tfjs.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystemHandler saves JSON model topologies only (not binary GraphDefs)');
      }
      const weights = joinWeightData(artifacts.weightData);
      const modelJson: tfjs.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.format !== undefined) modelJson.format = artifacts.format;
      if (artifacts.generatedBy !== undefined) modelJson.generatedBy = artifacts.generatedBy;
      if (artifacts.convertedBy !== undefined) modelJson.convertedBy = artifacts.convertedBy;
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata !== undefined)
        modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer !== undefined) modelJson.modelInitializer = artifacts.modelInitializer;
      await mkdir(root, { recursive: true });
      // Weights first: model.json appearing last marks the save complete.
      await writeAtomic(path.join(root, WEIGHTS_BIN), weights);
      await writeAtomic(path.join(root, MODEL_JSON), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load(): Promise<tfjs.io.ModelArtifacts> {
      const modelJson = await readModelJson(root);
      const [weightSpecs, weightData] = await readWeights(root, modelJson.weightsManifest ?? []);
      const artifacts: tfjs.io.ModelArtifacts = {
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData,
      };
      if (modelJson.format !== undefined) artifacts.format = modelJson.format;
      if (modelJson.generatedBy !== undefined) artifacts.generatedBy = modelJson.generatedBy;
      if (modelJson.convertedBy !== undefined) artifacts.convertedBy = modelJson.convertedBy;
      if (modelJson.trainingConfig !== undefined) artifacts.trainingConfig = modelJson.trainingConfig;
      if (modelJson.signature !== undefined) artifacts.signature = modelJson.signature;
      if (modelJson.userDefinedMetadata !== undefined)
        artifacts.userDefinedMetadata = modelJson.userDefinedMetadata;
      if (modelJson.modelInitializer !== undefined) artifacts.modelInitializer = modelJson.modelInitializer;
      return artifacts;
    },
  };
}

/** Anything with tfjs's `save(handler)` (LayersModel, Sequential, GraphModel). */
export interface SavableModel {
  save(handler: tfjs.io.IOHandler): Promise<tfjs.io.SaveResult>;
}

/** Saves a model to `dir` (created if needed) as model.json + weights.bin. */
export async function saveModel(model: SavableModel, dir: string): Promise<tfjs.io.SaveResult> {
  return model.save(fileSystemHandler(dir));
}

/** Options for {@link loadModel} and {@link loadGraphModel}. */
export interface LoadModelOptions {
  /** The tfjs namespace from selectBackend (default: `@tensorflow/tfjs`). */
  tf?: Tf;
}

async function withContext<T>(dir: string, kind: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(
      `cannot build a ${kind} from ${path.join(dir, MODEL_JSON)}: ${(err as Error).message}`,
      dir,
      { cause: err },
    );
  }
}

/** Loads a layers model (what `saveModel` writes for tf.LayersModel / tf.Sequential) from `dir`. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<tfjs.LayersModel> {
  const tf = options.tf ?? tfjs;
  return withContext(dir, 'layers model', () => tf.loadLayersModel(fileSystemHandler(dir)));
}

/** Loads a graph model (a converted TensorFlow SavedModel: model.json with a GraphDef topology). */
export async function loadGraphModel(dir: string, options: LoadModelOptions = {}): Promise<tfjs.GraphModel> {
  const tf = options.tf ?? tfjs;
  return withContext(dir, 'graph model', () => tf.loadGraphModel(fileSystemHandler(dir)));
}
