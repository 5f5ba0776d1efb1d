import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, selectBackend } from './select.js';

// Own file: a failed wasm init is sticky inside tfjs-backend-wasm, so keep it away from the
// tests that need a working wasm backend.
describe('selectBackend with wasm binaries missing', () => {
  const emptyDir = mkdtempSync(path.join(tmpdir(), 'subnetkit-nowasm-'));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));
  const logger = pino({ level: 'silent' });

  it('auto falls back to cpu and says which files are missing', async () => {
    const selected = await selectBackend({ env: {}, wasmDir: emptyDir, logger });
    expect(selected.backend).toBe('cpu');
    const wasm = selected.attempts.find((a) => a.backend === 'wasm');
    expect(wasm?.reason).toBe(
      `wasm binaries missing from ${emptyDir}: tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm`,
    );
  });

  it('forced wasm throws with the fix', async () => {
    const error = await selectBackend({ backend: 'wasm', wasmDir: emptyDir, logger }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toContain('or pass wasmDir');
  });
});
