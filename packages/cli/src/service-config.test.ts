/** `subnetkit miner|validator` settings: flags > SUBNETKIT_* env > --config file > defaults, through the real commands. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BATCH, DEFAULT_MAX_WAIT_MS } from '@subnetkit/miner';
import { MINER_OPTIONS } from './commands/miner.js';
import { VALIDATOR_OPTIONS } from './commands/validator.js';
import { buildProgram } from './index.js';
import { describeServiceOptions, resolveServiceConfig, type ServiceOptions } from './service-config.js';

const dir = mkdtempSync(join(tmpdir(), 'subnetkit-service-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Parses `argv` with the real `subnetkit <name>` command and resolves its settings against `env`. */
async function settings(
  name: 'miner' | 'validator',
  argv: string[],
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const program = buildProgram().exitOverride();
  const cmd = program.commands.find((c) => c.name() === name)!;
  const options: ServiceOptions = name === 'miner' ? MINER_OPTIONS : VALIDATOR_OPTIONS;
  let out: Record<string, unknown> = {};
  cmd.exitOverride().action((_o: unknown, c: Command) => {
    out = resolveServiceConfig(c, options, env) as Record<string, unknown>;
  });
  await program.parseAsync(['node', 'subnetkit', name, ...argv]);
  return out;
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('subnetkit miner settings', () => {
  it('uses the defaults when only the required keys are given', async () => {
    const s = await settings('miner', ['--subnet', 'echo', '--netuid', '3']);
    expect(s).toMatchObject({
      subnet: 'echo',
      netuid: 3,
      wallet: 'default',
      hotkey: 'default',
      port: 8091,
      host: '0.0.0.0',
      chain: 'local',
      allowNonValidators: false,
      allow: [],
      maxQueue: 256,
      legacy: false,
      maxBatch: DEFAULT_MAX_BATCH,
      maxWaitMs: DEFAULT_MAX_WAIT_MS,
      trainIfMissing: false,
    });
    expect(s.redis).toBeUndefined();
    expect(s.backend).toBeUndefined();
  });

  it('takes flags over SUBNETKIT_* over the config file over defaults, key by key', async () => {
    const yaml = file(
      'miner.yaml',
      'subnet: echo\nnetuid: 1\nport: 1001\nhost: 127.0.0.1\nmaxQueue: 11\nallow:\n  - 5Fa\n',
    );
    const env = { SUBNETKIT_NETUID: '2', SUBNETKIT_PORT: '2002', SUBNETKIT_ALLOW: '5Fb, 5Fc' };
    const s = await settings('miner', ['--config', yaml, '--port', '3003'], env);
    expect(s).toMatchObject({
      subnet: 'echo', // file
      netuid: 2, // env over file
      port: 3003, // flag over env and file
      host: '127.0.0.1', // file over default
      maxQueue: 11, // file
      allow: ['5Fb', '5Fc'], // env list over file list
      maxConcurrency: 32, // default
    });
  });

  it('is configurable by SUBNETKIT_* alone, including booleans, the wallet and the config file path', async () => {
    const json = file('miner.json', JSON.stringify({ subnet: 'echo', legacy: true, walletPath: '/w' }));
    const s = await settings('miner', [], {
      SUBNETKIT_CONFIG: json,
      SUBNETKIT_NETUID: '9',
      SUBNETKIT_WALLET: 'm',
      SUBNETKIT_HOTKEY: 'h',
      SUBNETKIT_ALLOW_NON_VALIDATORS: 'true',
      SUBNETKIT_EXTERNAL_PORT: '9999',
    });
    expect(s).toMatchObject({
      subnet: 'echo',
      netuid: 9,
      wallet: 'm',
      hotkey: 'h',
      walletPath: '/w',
      legacy: true,
      allowNonValidators: true,
      externalPort: 9999,
    });
  });

  it('accepts the btcli wallet spellings as flags', async () => {
    const s = await settings(
      'miner',
      ['--subnet', 'echo', '--netuid', '1', '--wallet.name', 'w', '--wallet.hotkey', 'k'],
      {
        SUBNETKIT_WALLET: 'from-env',
      },
    );
    expect(s).toMatchObject({ wallet: 'w', hotkey: 'k' });
  });

  it('names the key, the value and its source in every error', async () => {
    const yaml = file('bad.yaml', 'subnet: echo\nnetuid: 1\nmaxQueu: 3\nport: "80"\n');
    await expect(settings('miner', ['--config', yaml], { SUBNETKIT_MAX_CONCURRENCY: '0' })).rejects.toThrow(
      [
        'Invalid configuration:',
        `  - maxQueu: unknown key (from file ${yaml}), did you mean "maxQueue"?`,
        `  - port: got "80" (from file ${yaml}), expected an integer between 0 and 65535`,
        '  - maxConcurrency: got 0 (from env SUBNETKIT_MAX_CONCURRENCY), expected an integer between 1 and 100000',
      ].join('\n'),
    );
    await expect(settings('miner', ['--subnet', 'echo'])).rejects.toThrow(
      'netuid: got nothing (from not set; use --netuid, SUBNETKIT_NETUID or "netuid" in the config file)',
    );
    await expect(settings('miner', ['--config', join(dir, 'none.yaml')])).rejects.toThrow(
      /none\.yaml: file not found/,
    );
  });
});

describe('subnetkit validator settings', () => {
  it('reads a JSON config file under env and flags', async () => {
    const json = file(
      'validator.json',
      JSON.stringify({ subnet: 'echo', netuid: 4, sampleSize: 5, alpha: 0.5 }),
    );
    const s = await settings('validator', ['--config', json, '--workers', '2'], {
      SUBNETKIT_ALPHA: '0.25',
      SUBNETKIT_REDIS: 'redis://127.0.0.1:6390',
    });
    expect(s).toMatchObject({
      netuid: 4,
      sampleSize: 5,
      alpha: 0.25,
      workers: 2,
      redis: 'redis://127.0.0.1:6390',
    });
    // No --batch-size: the validator derives it (sample size / workers, one wave per round).
    expect(s.batchSize).toBeUndefined();
    const withBatch = await settings('validator', ['--config', json, '--batch-size', '3']);
    expect(withBatch.batchSize).toBe(3);
    await expect(settings('validator', ['--config', json], { SUBNETKIT_ALPHA: '0' })).rejects.toThrow(
      'alpha: got 0 (from env SUBNETKIT_ALPHA), expected a number > 0 and <= 1',
    );
  });
});

describe('subnetkit miner inference settings', () => {
  it('takes the batching knobs, the backend and training on start from flags, SUBNETKIT_* and the file', async () => {
    const yaml = file('inference.yaml', 'subnet: vision\nnetuid: 1\nmaxWaitMs: 5\ndataDir: /models/vision\n');
    const s = await settings('miner', ['--config', yaml, '--max-batch', '1', '--backend', 'wasm'], {
      SUBNETKIT_TRAIN_IF_MISSING: 'true',
      SUBNETKIT_MAX_BATCH: '64',
    });
    expect(s).toMatchObject({
      maxBatch: 1, // flag over env
      maxWaitMs: 5, // file
      backend: 'wasm',
      trainIfMissing: true,
      dataDir: '/models/vision',
    });
    await expect(settings('miner', ['--config', yaml], { SUBNETKIT_BACKEND: 'tpu' })).rejects.toThrow(
      /backend: got "tpu" \(from env SUBNETKIT_BACKEND\)/,
    );
    await expect(settings('miner', ['--config', yaml, '--max-batch', '0'])).rejects.toThrow(
      /--max-batch must be an integer/,
    );
  });
});

describe('docs/configuration.md', () => {
  it('lists every key of the miner and the validator with its flag and variable', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const options of [MINER_OPTIONS, VALIDATOR_OPTIONS]) {
      for (const row of describeServiceOptions(options)) {
        expect(doc, row.key).toContain(`| \`${row.key}\` | \`${row.flag}\` | \`${row.env}\` |`);
      }
    }
  });
});
