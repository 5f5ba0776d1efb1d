import { createRequire } from 'node:module';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  type ModuleImporter,
  parseBackendPreference,
  selectBackend,
  type Tf,
} from './select.js';

/** A pino logger whose lines land in `lines` (parsed), so tests can assert what was logged. */
function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** A stand-in for the tfjs-node(-gpu) namespace: enough surface for selectBackend's checks. */
function fakeNativeTf(options: { gpu: boolean; isUsingGpuAsMethod?: boolean }): Tf {
  const backend = options.isUsingGpuAsMethod
    ? { isUsingGpuDevice: () => options.gpu }
    : { isUsingGpuDevice: options.gpu };
  return {
    ready: async () => undefined,
    setBackend: async () => true,
    getBackend: () => 'tensorflow',
    backend: () => backend,
  } as unknown as Tf;
}

const MISSING = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from select.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

/** Wraps the real importer: records every specifier, and replaces chosen ones. */
function recordingImporter(overrides: Record<string, () => unknown>) {
  const requested: string[] = [];
  const importModule: ModuleImporter = async (specifier) => {
    requested.push(specifier);
    const override = overrides[specifier];
    if (override) return override();
    return import(specifier);
  };
  return { importModule, requested };
}

/** True when a native tfjs package is installed, which changes what `auto` picks. */
function installed(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');

describe('selectBackend', () => {
  // Skipped where tfjs-node(-gpu) is installed: there auto rightly picks it instead of wasm.
  it.skipIf(nativeInstalled)(
    'auto: falls back gpu -> node -> wasm with the real importer here (no tfjs-node installed)',
    async () => {
      const { logger, lines } = captureLogger();
      const selected = await selectBackend({ backend: 'auto', logger, env: {} });
      expect(selected.backend).toBe('wasm');
      expect(selected.tfBackend).toBe('wasm');
      expect(selected.device).toMatch(/^cpu/);
      expect(selected.tf.getBackend()).toBe('wasm');
      expect(selected.attempts.map((a) => [a.backend, a.ok])).toEqual([
        ['gpu', false],
        ['node', false],
        ['wasm', true],
      ]);
      expect(selected.attempts[0]!.reason).toContain('@tensorflow/tfjs-node-gpu');
      // The wasm backend really computes.
      const y = selected.tf.tidy(() => selected.tf.tensor1d([1, 2, 3]).square().sum());
      expect(await y.data()).toEqual(new Float32Array([14]));
      y.dispose();
      const chosen = lines.find((l) => l.msg === `inference backend: wasm on ${selected.device}`);
      expect(chosen).toMatchObject({ backend: 'wasm', device: selected.device });
      expect(lines.some((l) => l.backend === 'gpu' && String(l.msg).includes('unavailable'))).toBe(true);
    },
  );

  it('tries gpu, node, wasm, cpu in that order when imports throw', async () => {
    const { importModule, requested } = recordingImporter({
      '@tensorflow/tfjs-node-gpu': () => {
        throw MISSING('@tensorflow/tfjs-node-gpu');
      },
      '@tensorflow/tfjs-node': () => {
        throw new Error('libtensorflow.so.2: cannot open shared object file');
      },
      '@tensorflow/tfjs-backend-wasm': () => {
        throw new Error('wasm package broken');
      },
    });
    const selected = await selectBackend({ importModule, logger: captureLogger().logger, env: {} });
    expect(requested).toEqual([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs',
    ]);
    expect(selected.backend).toBe('cpu');
    expect(selected.tf.getBackend()).toBe('cpu');
    expect(selected.attempts.map((a) => a.reason)).toEqual([
      "Cannot find package '@tensorflow/tfjs-node-gpu' imported from select.js",
      'libtensorflow.so.2: cannot open shared object file',
      'wasm package broken',
      undefined,
    ]);
  });

  it('uses tfjs-node-gpu when it loads and reports a GPU', async () => {
    for (const isUsingGpuAsMethod of [false, true]) {
      const gpuTf = fakeNativeTf({ gpu: true, isUsingGpuAsMethod });
      const { importModule, requested } = recordingImporter({ '@tensorflow/tfjs-node-gpu': () => gpuTf });
      const selected = await selectBackend({ importModule, logger: captureLogger().logger, env: {} });
      expect(selected).toMatchObject({ backend: 'gpu', device: 'gpu', tfBackend: 'tensorflow' });
      expect(selected.tf).toBe(gpuTf);
      expect(requested).toEqual(['@tensorflow/tfjs-node-gpu']);
    }
  });

  it('accepts a CommonJS namespace whose API sits on `default`', async () => {
    const nodeTf = fakeNativeTf({ gpu: false });
    const { importModule } = recordingImporter({
      '@tensorflow/tfjs-node-gpu': () => {
        throw MISSING('@tensorflow/tfjs-node-gpu');
      },
      '@tensorflow/tfjs-node': () => ({ default: nodeTf }),
    });
    const selected = await selectBackend({ importModule, logger: captureLogger().logger, env: {} });
    expect(selected).toMatchObject({ backend: 'node', device: 'cpu' });
    expect(selected.tf).toBe(nodeTf);
  });

  it('moves on to tfjs-node when tfjs-node-gpu loads but no GPU is usable', async () => {
    const nodeTf = fakeNativeTf({ gpu: false });
    const { importModule, requested } = recordingImporter({
      '@tensorflow/tfjs-node-gpu': () => fakeNativeTf({ gpu: false }),
      '@tensorflow/tfjs-node': () => nodeTf,
    });
    const { logger, lines } = captureLogger();
    const selected = await selectBackend({ importModule, logger, env: {} });
    expect(requested).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(selected).toMatchObject({ backend: 'node', device: 'cpu' });
    expect(selected.attempts[0]!.reason).toContain('no usable GPU');
    expect(lines.some((l) => l.backend === 'gpu' && String(l.reason).includes('no usable GPU'))).toBe(true);
  });

  it('a forced backend that cannot load throws a clear error instead of falling back', async () => {
    const { importModule, requested } = recordingImporter({
      '@tensorflow/tfjs-node-gpu': () => fakeNativeTf({ gpu: false }),
    });
    const error = await selectBackend({
      backend: 'gpu',
      importModule,
      logger: captureLogger().logger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/'gpu' was requested but is unavailable: .*no usable GPU/);
    expect((error as Error).message).toContain('SUBNETKIT_TF_BACKEND=auto');
    expect(requested).toEqual(['@tensorflow/tfjs-node-gpu']);
  });

  it('reads SUBNETKIT_TF_BACKEND, and the option wins over it', async () => {
    const logger = captureLogger().logger;
    const fromEnv = await selectBackend({ env: { SUBNETKIT_TF_BACKEND: 'cpu' }, logger });
    expect(fromEnv.backend).toBe('cpu');
    expect(fromEnv.tf.getBackend()).toBe('cpu');
    const fromOption = await selectBackend({ backend: 'wasm', env: { SUBNETKIT_TF_BACKEND: 'cpu' }, logger });
    expect(fromOption.backend).toBe('wasm');
    expect(fromOption.tf.getBackend()).toBe('wasm');
    if (!nativeInstalled) {
      const blank = await selectBackend({ env: { SUBNETKIT_TF_BACKEND: ' ' }, logger });
      expect(blank.backend).toBe('wasm'); // blank means auto
    }
  });

  it('rejects an unknown SUBNETKIT_TF_BACKEND value naming the valid ones', async () => {
    await expect(selectBackend({ env: { SUBNETKIT_TF_BACKEND: 'cuda' } })).rejects.toThrow(
      'SUBNETKIT_TF_BACKEND="cuda" is not a backend; use one of gpu|node|wasm|cpu|auto',
    );
    expect(parseBackendPreference(' WASM ', 'x')).toBe('wasm');
  });

  it('auto with every backend broken throws one error listing each reason', async () => {
    const broken = () => {
      throw new Error('nope');
    };
    const { importModule } = recordingImporter({
      '@tensorflow/tfjs-node-gpu': broken,
      '@tensorflow/tfjs-node': broken,
      '@tensorflow/tfjs': broken,
    });
    await expect(selectBackend({ importModule, env: {}, logger: captureLogger().logger })).rejects.toThrow(
      'no TensorFlow.js backend could be initialised (gpu: nope; node: nope; wasm: nope; cpu: nope)',
    );
  });
});
