import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pino, type Logger } from 'pino';

/** The TensorFlow.js namespace (`@tensorflow/tfjs`, or tfjs-node / tfjs-node-gpu which re-export it). */
export type Tf = typeof import('@tensorflow/tfjs');

/** Which runtime runs the tensors: CUDA libtensorflow, CPU libtensorflow, WebAssembly, or plain JS. */
export type BackendKind = 'gpu' | 'node' | 'wasm' | 'cpu';

/** A backend preference: one kind (strict), or `auto` (first that works, in {@link BACKEND_ORDER}). */
export type BackendPreference = BackendKind | 'auto';

/** The order `auto` tries, fastest first. */
export const BACKEND_ORDER: readonly BackendKind[] = ['gpu', 'node', 'wasm', 'cpu'];

/** Environment variable overriding the backend when no option is given. */
export const BACKEND_ENV_VAR = 'SUBNETKIT_TF_BACKEND';

/** Loads a module by specifier; the default is a dynamic `import()`. Injected in tests. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Backend to use; wins over the environment variable. Default: `$SUBNETKIT_TF_BACKEND` or `auto`. */
  backend?: BackendPreference;
  /** Environment to read `SUBNETKIT_TF_BACKEND` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Where the backend choice and fallbacks are logged (default: a pino logger on stdout). */
  logger?: Logger;
  /** Directory holding tfjs-backend-wasm's `.wasm` files (default: the installed package's `dist/`). */
  wasmDir?: string;
  /** WebAssembly threads (only used when the runtime supports wasm threads). */
  wasmThreads?: number;
  /** Module loader, replaceable in tests to simulate missing or broken packages. */
  importModule?: ModuleImporter;
}

/** One backend that was tried and why it was skipped. */
export interface BackendAttempt {
  backend: BackendKind;
  ok: boolean;
  reason?: string;
}

/** The selected runtime. Use this `tf` for everything: it is the namespace bound to the backend. */
export interface InferenceBackend {
  /** Which kind won. */
  backend: BackendKind;
  /** Where tensors live: `gpu`, `cpu`, or `cpu-simd` / `cpu-simd-threads` for wasm. */
  device: string;
  /** tfjs's own backend name (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** The TensorFlow.js namespace to build and run models with. */
  tf: Tf;
  /** Every backend tried, in order, with the reason the earlier ones were skipped. */
  attempts: BackendAttempt[];
}

/** Thrown when the requested backend (or, under `auto`, every backend) cannot be used. */
export class BackendUnavailableError extends Error {
  readonly code = 'INFERENCE_BACKEND_UNAVAILABLE';
  constructor(
    message: string,
    readonly attempts: BackendAttempt[],
  ) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

const PACKAGES: Record<'gpu' | 'node', string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
};

const FIX: Record<BackendKind, string> = {
  gpu: 'install @tensorflow/tfjs-node-gpu with CUDA/cuDNN libraries and a visible NVIDIA GPU',
  node: 'install @tensorflow/tfjs-node (its install step downloads libtensorflow)',
  wasm: 'check that @tensorflow/tfjs-backend-wasm is installed with its dist/*.wasm files, or pass wasmDir',
  cpu: 'check that @tensorflow/tfjs is installed',
};

/** Parses a preference string (option or env var); throws a clear error for anything else. */
export function parseBackendPreference(value: string, source: string): BackendPreference {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKEND_ORDER as readonly string[]).includes(v)) return v as BackendPreference;
  throw new RangeError(
    `${source}=${JSON.stringify(value)} is not a backend; use one of gpu|node|wasm|cpu|auto`,
  );
}

/** The directory inside the installed tfjs-backend-wasm package that holds its `.wasm` binaries. */
export function defaultWasmDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
}

function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // Native-addon errors can be long; the first line names the cause.
  return message.split('\n')[0]!.slice(0, 300);
}

function isTf(mod: unknown): mod is Tf {
  const m = mod as Partial<Tf> | null;
  return (
    typeof m === 'object' && m !== null && typeof m.setBackend === 'function' && typeof m.ready === 'function'
  );
}

/** ESM namespaces of CommonJS packages may put the API on `default`. */
function asTf(mod: unknown, specifier: string): Tf {
  if (isTf(mod)) return mod;
  const inner = (mod as { default?: unknown } | null)?.default;
  if (isTf(inner)) return inner;
  throw new Error(`${specifier} did not export a TensorFlow.js namespace`);
}

/** tfjs-node's kernel backend exposes `isUsingGpuDevice` (a boolean; a method in older builds). */
function usesGpu(tf: Tf): boolean {
  const flag = (tf.backend() as unknown as { isUsingGpuDevice?: boolean | (() => boolean) }).isUsingGpuDevice;
  return typeof flag === 'function' ? flag.call(tf.backend()) === true : flag === true;
}

/** The binaries tfjs-backend-wasm may pick (plain, SIMD, threaded SIMD). */
const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

interface Loaded {
  tf: Tf;
  device: string;
}

async function loadNative(kind: 'gpu' | 'node', importModule: ModuleImporter): Promise<Loaded> {
  const specifier = PACKAGES[kind];
  const tf = asTf(await importModule(specifier), specifier);
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') {
    if (!(await tf.setBackend('tensorflow'))) {
      throw new Error(`${specifier} loaded but its 'tensorflow' backend did not initialise`);
    }
  }
  // If tfjs-node-gpu loaded without a GPU and tfjs-node is then imported too, tfjs keeps the
  // first 'tensorflow' backend (it warns and reuses it): libtensorflow on CPU either way.
  if (kind === 'gpu' && !usesGpu(tf)) {
    throw new Error(`${specifier} loaded but no usable GPU was found (libtensorflow fell back to CPU)`);
  }
  return { tf, device: kind === 'gpu' ? 'gpu' : 'cpu' };
}

async function loadWasm(importModule: ModuleImporter, wasmDir: string, threads?: number): Promise<Loaded> {
  const tf = asTf(await importModule('@tensorflow/tfjs'), '@tensorflow/tfjs');
  const wasm = (await importModule('@tensorflow/tfjs-backend-wasm')) as {
    setWasmPaths?: (prefix: string) => void;
    setThreadsCount?: (n: number) => void;
  };
  if (typeof wasm.setWasmPaths !== 'function') {
    throw new Error('@tensorflow/tfjs-backend-wasm did not export setWasmPaths');
  }
  // Checked up front: a missing binary otherwise surfaces as an Emscripten abort on stderr.
  const missing = WASM_FILES.filter((file) => !existsSync(path.join(wasmDir, file)));
  if (missing.length > 0) {
    throw new Error(`wasm binaries missing from ${wasmDir}: ${missing.join(', ')}`);
  }
  // A file-system prefix makes the Emscripten loader read the binaries from disk: never fetched
  // from a CDN, so miners work offline and run exactly the installed version.
  wasm.setWasmPaths(wasmDir.endsWith(path.sep) ? wasmDir : wasmDir + path.sep);
  if (threads !== undefined) wasm.setThreadsCount?.(threads);
  if (!(await tf.setBackend('wasm'))) {
    throw new Error(`the wasm backend failed to initialise from ${wasmDir} (see the tfjs message on stderr)`);
  }
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threaded = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return { tf, device: `cpu${simd ? '-simd' : ''}${threaded ? '-threads' : ''}` };
}

async function loadCpu(importModule: ModuleImporter): Promise<Loaded> {
  const tf = asTf(await importModule('@tensorflow/tfjs'), '@tensorflow/tfjs');
  if (!(await tf.setBackend('cpu'))) throw new Error("tfjs's cpu backend failed to initialise");
  await tf.ready();
  return { tf, device: 'cpu' };
}

/**
 * Picks and initialises the TensorFlow.js backend: tfjs-node-gpu when installed and a GPU is
 * usable, then tfjs-node, then tfjs with the wasm backend (binaries loaded from node_modules),
 * then plain-JS cpu. `backend` (or `$SUBNETKIT_TF_BACKEND`) set to one kind makes that kind
 * mandatory: if it cannot load, this throws instead of silently running slower.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<InferenceBackend> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? pino({ name: 'subnetkit-inference' });
  const importModule: ModuleImporter = options.importModule ?? ((specifier) => import(specifier));
  const fromEnv = env[BACKEND_ENV_VAR];
  const preference =
    options.backend !== undefined
      ? parseBackendPreference(options.backend, 'backend option')
      : fromEnv !== undefined && fromEnv.trim() !== ''
        ? parseBackendPreference(fromEnv, BACKEND_ENV_VAR)
        : 'auto';
  const candidates = preference === 'auto' ? BACKEND_ORDER : [preference];
  const attempts: BackendAttempt[] = [];

  for (const kind of candidates) {
    let loaded: Loaded;
    try {
      if (kind === 'gpu' || kind === 'node') loaded = await loadNative(kind, importModule);
      else if (kind === 'wasm') {
        loaded = await loadWasm(importModule, options.wasmDir ?? defaultWasmDir(), options.wasmThreads);
      } else loaded = await loadCpu(importModule);
    } catch (err) {
      const reason = errorMessage(err);
      attempts.push({ backend: kind, ok: false, reason });
      if (preference === 'auto') {
        logger.info({ backend: kind, reason }, `inference backend ${kind} unavailable, trying the next one`);
      }
      continue;
    }
    attempts.push({ backend: kind, ok: true });
    const result: InferenceBackend = {
      backend: kind,
      device: loaded.device,
      tfBackend: loaded.tf.getBackend(),
      tf: loaded.tf,
      attempts,
    };
    logger.info(
      { backend: result.backend, device: result.device, tfBackend: result.tfBackend, preference },
      `inference backend: ${result.backend} on ${result.device}`,
    );
    return result;
  }

  const last = attempts[attempts.length - 1];
  const message =
    preference === 'auto'
      ? `no TensorFlow.js backend could be initialised (${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')})`
      : `inference backend '${preference}' was requested but is unavailable: ${last?.reason}; ` +
        `${FIX[preference]}, or set ${BACKEND_ENV_VAR}=auto to fall back`;
  logger.error({ attempts }, message);
  throw new BackendUnavailableError(message, attempts);
}
