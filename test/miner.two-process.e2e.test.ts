/**
 * Two real miner processes (`subnetkit miner --legacy --redis`) of one hotkey, on different ports,
 * sharing one Redis prefix: a request captured on its way to one is refused by the other, in both
 * schemes (btauth/1: 401 ReplayedRequest; legacy v10: the nonce is not newer than the last one).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connect, type SubtensorClient, Wallet } from '@subnetkit/chain';
import { buildLegacyRequest, signRequest } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './cli-helpers.js';

const NETUID = 1;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let devnet: Devnet;
let client: SubtensorClient;
let validator: KeyringPair;
let minerAddress: string;
let redis: Redis;
const miners: CliProcess[] = [];
const ports: number[] = [];
const walletRoot = mkdtempSync(join(tmpdir(), 'e2e-two-miners-'));

async function startMinerProcess(name: string, externalPort?: number): Promise<number> {
  const proc = await startCli(
    [
      'miner',
      '--subnet',
      'echo',
      '--netuid',
      String(NETUID),
      '--wallet',
      'twin',
      '--hotkey',
      'default',
      '--wallet-path',
      walletRoot,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--external-ip',
      '127.0.0.1',
      '--chain',
      devnet.url,
      '--redis',
      REDIS_URL,
      // Each process is a primary with two axon worker processes sharing its port (node:cluster).
      '--workers',
      '2',
      '--legacy',
      ...(externalPort ? ['--external-port', String(externalPort)] : []),
      '--data-dir',
      join(walletRoot, `data-${name}`),
    ],
    { SUBNETKIT_LOG_FORMAT: 'json' },
    /serving on 127\.0\.0\.1:\d+/,
  );
  miners.push(proc);
  return Number(/serving on 127\.0\.0\.1:(\d+)/.exec(proc.output())![1]);
}

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  validator = keyring.addFromUri('//Alice//validator');
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: { tempo: 3, maxAllowedValidators: 4, burn: 1 },
          neurons: [{ hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 }],
        },
      ],
    },
  });
  client = await connect(devnet.url);
  const wallet = new Wallet({ name: 'twin', hotkey: 'default', path: walletRoot });
  // A fresh hotkey per run: the miners' Redis prefixes (named after it) are this test's alone.
  minerAddress = (await wallet.createHotkey({ password: null })).ss58Address;
  await client.burnedRegister(keyring.addFromUri('//Bob'), NETUID, minerAddress);
  devnet.produceBlocks(5);
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  ports.push(await startMinerProcess('a'));
  // The second process announces the first one's address (as behind a load balancer), so the axon
  // info on chain is unchanged and it does not serve_axon again.
  ports.push(await startMinerProcess('b', ports[0]));
}, 180_000);

afterAll(async () => {
  await Promise.all(miners.map((m) => m.stop()));
  if (redis && minerAddress) {
    for (const pattern of [
      `subnetkit:replay:${NETUID}:${minerAddress}:*`,
      `subnetkit:legacy-nonce:${NETUID}:${minerAddress}:*`,
    ]) {
      const keys = await redis.keys(pattern);
      if (keys.length > 0) await redis.del(...keys);
    }
    await redis.quit();
  }
  await client?.close();
  await devnet?.stop();
  rmSync(walletRoot, { recursive: true, force: true });
});

async function post(port: number, headers: Record<string, string>, body: string) {
  const res = await fetch(`http://127.0.0.1:${port}/Compute`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** POST on a fresh connection (no keep-alive), so node:cluster hands each one to the next worker. */
function postFresh(port: number, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/Compute',
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function answered(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m =
    /subnetkit_miner_requests_total\{[^}]*status="200"[^}]*synapse="Compute"[^}]*\} (\d+)|subnetkit_miner_requests_total\{[^}]*synapse="Compute"[^}]*status="200"[^}]*\} (\d+)/.exec(
      text,
    );
  return Number(m?.[1] ?? m?.[2] ?? 0);
}

describe('two miner processes of one hotkey sharing a Redis prefix', () => {
  it('--workers 2: /metrics of either worker counts the requests of both', async () => {
    const [a] = ports as [number];
    const before = await answered(a);
    for (let i = 0; i < 8; i++) {
      const body = JSON.stringify({ a: i, b: 1, op: 'add' });
      const headers = await signRequest({
        signer: validator,
        method: 'POST',
        target: '/Compute',
        body,
        receiver: minerAddress,
      });
      expect(await postFresh(a, headers, body)).toBe(200);
    }
    expect((await answered(a)) - before).toBe(8);
  });

  it('are separate processes on different ports', () => {
    expect(miners).toHaveLength(2);
    expect(miners[0]!.child.pid).not.toBe(miners[1]!.child.pid);
    expect(ports[0]).not.toBe(ports[1]);
  });

  it('btauth/1: a request answered by one is refused by the other as a replay', async () => {
    const [a, b] = ports as [number, number];
    const body = JSON.stringify({ a: 20, b: 22, op: 'add' });
    const headers = await signRequest({
      signer: validator,
      method: 'POST',
      target: '/Compute',
      body,
      receiver: minerAddress,
    });
    const first = await post(a, headers, body);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ result: 42 });
    const replay = await post(b, headers, body);
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.text).error).toBe('ReplayedRequest');
    // And the other way round with a fresh request.
    const second = await signRequest({
      signer: validator,
      method: 'POST',
      target: '/Compute',
      body,
      receiver: minerAddress,
    });
    expect((await post(b, second, body)).status).toBe(200);
    expect((await post(a, second, body)).status).toBe(401);
  });

  it('legacy v10: a request answered by one is refused by the other (nonce not newer)', async () => {
    const [a, b] = ports as [number, number];
    const build = () =>
      buildLegacyRequest({
        signer: validator,
        synapseName: 'Compute',
        axon: { ip: '127.0.0.1', port: a, hotkey: minerAddress },
        dendrite: { ip: '127.0.0.1', uuid: `uuid-${randomUUID()}` },
        fields: { a: 40, b: 2, op: 'add' },
        timeout: 12,
      });
    const captured = await build();
    const first = await post(a, captured.headers, captured.body);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ result: 42 });
    const replay = await post(b, captured.headers, captured.body);
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Nonce is too old, a newer one was last processed');
    // Replayed to the same process it is refused as well, and a fresh request passes on either.
    expect((await post(a, captured.headers, captured.body)).status).toBe(401);
    const fresh = await build();
    expect((await post(b, fresh.headers, fresh.body)).status).toBe(200);
    const keys = await redis.keys(`subnetkit:legacy-nonce:${NETUID}:${minerAddress}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
  });
});
