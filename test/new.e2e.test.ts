/**
 * The author's loop end to end: `subnetkit new demo-subnet` in a temp directory outside the
 * repository, then the generated package's own build and tests, then `subnetkit localnet` on it,
 * whose weights on chain must rank its miners trained > under-trained > majority > random.
 * The temp directory gets a `node_modules` link to this repository's, standing in for
 * `npm install` (which would need the registry): @subnetkit/* resolve to this checkout's builds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv, runCli } from './cli-helpers.js';

const repo = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'subnetkit-new-e2e-'));
const subnetDir = join(work, 'demo-subnet');
symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');

/** Runs a Node script (the subnetkit bin, tsc, vitest) in `cwd`; resolves with its output. */
function run(script: string, args: string[], cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((done, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

describe('subnetkit new', () => {
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('scaffolds a subnet whose build and tests pass and which localnet runs and ranks', async () => {
    const created = await run(CLI, ['new', 'demo-subnet'], work, 30_000);
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain('created subnet demo-subnet in demo-subnet');
    // Outside any npm workspace, the next steps install in the package itself.
    expect(created.output).toContain('cd demo-subnet && npm install');

    const build = await run(
      join(repo, 'node_modules/typescript/bin/tsc'),
      ['-p', 'tsconfig.json'],
      subnetDir,
      120_000,
    );
    expect(build.code, build.output).toBe(0);
    const tests = await run(join(repo, 'node_modules/vitest/vitest.mjs'), ['run'], subnetDir, 180_000);
    expect(tests.code, tests.output).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips vitest's colours
    expect(tests.output.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+5 passed \(5\)/);

    const localnet = await runCli(
      [
        'localnet',
        '--subnet',
        subnetDir,
        '--port',
        '0',
        '--block-time',
        '200',
        '--tempo',
        '5',
        '--rounds',
        '5',
        '--data-dir',
        join(work, 'localnet-data'),
        '--json',
      ],
      { SUBNETKIT_LOG_LEVEL: 'warn' }, // only the JSON report on stdout
      150_000,
    );
    expect(localnet.code, localnet.stderr).toBe(0);
    const report = JSON.parse(localnet.stdout) as { neurons: { role: string; weight: number }[] };
    const miners = report.neurons.filter((n) => n.role !== 'validator');
    expect(miners.map((n) => n.role)).toEqual([
      'miner (trained)',
      'miner (under-trained)',
      'miner (majority)',
      'miner (random)',
    ]);
    const weights = miners.map((n) => n.weight);
    expect(weights[0]).toBe(65535);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(new Set(weights).size).toBe(4);
  }, 360_000);
});
