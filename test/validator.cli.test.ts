/**
 * `subnetkit validator` as a user runs it: a btcli-layout wallet on disk, the devnet over WebSocket,
 * the shared Redis, two fake axons serving the echo subnet (one honest, one always wrong). The command
 * must score them, set weights that rank them, serve /metrics, and exit cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type SubtensorClient, Wallet } from '@subnetkit/chain';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { type ComputeRequest, compute } from '@subnetkit/subnet-echo';
import { type FakeAxons, startFakeAxons } from '@subnetkit/validator/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, until } from './helpers.js';

const NETUID = 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLI = resolve(import.meta.dirname, '../packages/cli/bin/subnetkit.js');

describe('subnetkit validator (CLI)', () => {
  const walletDir = mkdtempSync(join(tmpdir(), 'cli-validator-wallets-'));
  let address: string;
  let axons: FakeAxons;
  let devnet: Devnet;
  let client: SubtensorClient;
  let redis: Redis;
  let cli: ChildProcess | undefined;

  beforeAll(async () => {
    const wallet = new Wallet({ name: 'val', hotkey: 'hot', path: walletDir });
    address = (await wallet.regenHotkey({ seed: `0x${randomBytes(32).toString('hex')}` })).ss58Address;
    axons = await startFakeAxons({
      count: 2,
      respond: (i, _synapse, body) => ({ body: { result: compute(body as ComputeRequest) + i } }),
    });
    devnet = await startDevnet({
      port: 0,
      blockTime: 200,
      logger: pino({ level: 'silent' }),
      genesis: {
        subnets: [
          {
            netuid: NETUID,
            owner: 'alice',
            hyperparameters: { tempo: 5, weightsRateLimit: 1, maxAllowedValidators: 8 },
            neurons: [
              { hotkey: address, coldkey: 'alice', stake: 1000 },
              ...axons.axons.map((a, i) => ({ hotkey: `//Cli//miner${i}`, coldkey: 'bob', axon: a })),
            ],
          },
        ],
      },
    });
    client = await connect(devnet.url);
    redis = new Redis(REDIS_URL);
  }, 120_000);

  afterAll(async () => {
    if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL');
    const keys = await redis.keys(`subnetkit:validator:{${NETUID}:${address}}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await client.close();
    await devnet.stop();
    await axons.close();
    rmSync(walletDir, { recursive: true, force: true });
  });

  it('scores the miners, sets weights that rank them, serves /metrics, stops on SIGTERM', async () => {
    const metricsPort = await freePort();
    // biome-ignore format: one flag per line reads best
    const args = [
      CLI, 'validator',
      '--subnet', 'echo',
      '--netuid', String(NETUID),
      '--wallet', 'val', '--hotkey', 'hot', '--wallet-path', walletDir,
      '--chain', devnet.url,
      '--redis', REDIS_URL,
      '--workers', '2',
      '--round-interval', '1',
      '--weights-interval', '1',
      '--metrics-port', String(metricsPort),
      '--metrics-host', '127.0.0.1',
    ];
    let output = '';
    cli = spawn(process.execPath, args, {
      env: { ...process.env, SUBNETKIT_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cli.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    cli.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const row = await until('weights on chain ranking the honest miner first', async () => {
      const m = await client.syncMetagraph(NETUID, { weights: true });
      const r = new Map(m.weights?.[m.hotkeys.indexOf(address)] ?? []);
      return (r.get(1) ?? 0) > (r.get(2) ?? 0) ? r : undefined;
    });
    expect(row.get(1)).toBe(65535);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/subnetkit_validator_rounds_completed_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/subnetkit_validator_queries_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    const health = await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, netuid: NETUID, hotkey: address });
    expect(output).toContain('validator running on netuid 1');
    const exited = new Promise<number | null>((r) => cli!.once('exit', (code) => r(code)));
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
