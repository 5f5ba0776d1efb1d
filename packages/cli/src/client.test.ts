/** The CLI's output is the CLI's: @polkadot's own console lines are held back (or routed in debug). */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from '@polkadot/util';
import { Wallet } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isPolkadotLogLine } from './client.js';

const BIN = fileURLToPath(new URL('../bin/subnetkit.js', import.meta.url));

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, SUBNETKIT_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('isPolkadotLogLine', () => {
  it("recognises @polkadot/util's logger calls and nothing else", () => {
    const calls: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
      calls.push(a);
    });
    try {
      logger('RPC-CORE').error(
        'submitAndWatchExtrinsic(extrinsic: Extrinsic): ExtrinsicStatus:: 1010: Invalid Transaction',
      );
      logger('api/init').error('x');
    } finally {
      spy.mockRestore();
    }
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(isPolkadotLogLine(c)).toBe(true);
    expect(isPolkadotLogLine(['subnetkit: transfer rejected'])).toBe(false);
    expect(isPolkadotLogLine(['2026-01-01 00:00:00', 'not an origin'])).toBe(false);
  });
});

describe('a transaction the pool refuses (1010)', () => {
  let devnet: Devnet;
  let root: string;
  let common: string[];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'subnetkit-cli-noise-'));
    const w = new Wallet({ name: 'broke', path: root });
    await w.regenColdkey({ seed: `0x${'41'.repeat(32)}` }, { password: null });
    await w.regenHotkey({ seed: `0x${'42'.repeat(32)}` });
    devnet = await startDevnet({ port: 0, blockTime: 'instant' });
    common = ['--wallet', 'broke', '--wallet-path', root, '--chain', devnet.url];
  }, 60_000);
  afterAll(async () => {
    await devnet?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('prints one line, the CLI’s, naming the cause and the fix; no RPC-CORE lines', async () => {
    const dest = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    const r = await run(['wallet', 'transfer', ...common, '--dest', dest, '--amount', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^subnetkit: transfer rejected: coldkey 5\w+ has too little free balance/);
    expect(lines[0]).toContain('subnetkit devnet fund');
    expect(r.stderr).not.toContain('RPC-CORE');

    // With SUBNETKIT_LOG_LEVEL=debug the library's lines are kept, marked as such, on stderr.
    const debug = await run(['wallet', 'transfer', ...common, '--dest', dest, '--amount', '1'], {
      SUBNETKIT_LOG_LEVEL: 'debug',
    });
    expect(debug.stderr).toMatch(/^subnetkit: \[RPC-CORE\] submitAndWatchExtrinsic.*1010/m);
    expect(debug.stderr).toMatch(/^subnetkit: transfer rejected/m);
  }, 60_000);
});
