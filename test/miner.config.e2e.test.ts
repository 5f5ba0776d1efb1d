/**
 * `subnetkit miner` configured three ways (flags only, SUBNETKIT_* variables only, a YAML config file
 * only) serves exactly the same: the same axon announced on the devnet, the same /openapi.json, the
 * same answers to btauth/1-signed requests. Real devnet over WebSocket, real HTTP, real processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Wallet, connect, type SubtensorClient } from '@subnetkit/chain';
import { signRequest } from '@subnetkit/core';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliProcess, startCli } from './cli-helpers.js';
import { freePort, until } from './helpers.js';

const NETUID = 1;
const TEMPO = 3;
let devnet: Devnet;
let client: SubtensorClient;
let validator: KeyringPair;
let minerHotkey: string;
let root: string;

beforeAll(async () => {
  await cryptoWaitReady();
  root = mkdtempSync(join(tmpdir(), 'subnetkit-miner-config-'));
  const wallet = new Wallet({ name: 'm', hotkey: 'h', path: root });
  await wallet.regenColdkey({ seed: `0x${'31'.repeat(32)}` }, { password: null });
  minerHotkey = (await wallet.regenHotkey({ seed: `0x${'32'.repeat(32)}` })).ss58Address;
  validator = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice//validator');
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: { tempo: TEMPO, maxAllowedValidators: 4, servingRateLimit: 0 },
          neurons: [
            { hotkey: '//Alice//validator', coldkey: 'alice', stake: 1000 },
            { hotkey: minerHotkey, coldkey: 'bob', stake: 0 },
          ],
        },
      ],
    },
  });
  devnet.produceBlocks(TEMPO + 2); // an epoch: validator permits from stake
  client = await connect(devnet.url);
});

afterAll(async () => {
  await client?.close();
  await devnet?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** What a running miner serves, as a caller sees it. */
async function observe(port: number) {
  const axon = await until(
    `the miner's axon on port ${port} announced on chain`,
    async () => {
      const m = await client.syncMetagraph(NETUID);
      const a = m.axons[m.hotkeys.indexOf(minerHotkey)];
      return a && a.port === port ? a : undefined;
    },
    60_000,
    200,
  );
  const base = `http://127.0.0.1:${port}`;
  const openapi = await until('/openapi.json', async () => (await fetch(`${base}/openapi.json`)).json());
  const answers: { status: number; body: unknown }[] = [];
  for (const [a, b, op] of [
    [2, 3, 'add'],
    [7, 6, 'mul'],
  ] as const) {
    const body = JSON.stringify({ a, b, op });
    const headers = await signRequest({
      signer: validator,
      method: 'POST',
      target: '/Compute',
      body,
      receiver: minerHotkey,
    });
    const res = await fetch(`${base}/Compute`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    answers.push({ status: res.status, body: await res.json() });
  }
  // A caller that is not registered is refused the same way too.
  const stranger = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Eve//stranger');
  const body = JSON.stringify({ a: 1, b: 1, op: 'add' });
  const headers = await signRequest({
    signer: stranger,
    method: 'POST',
    target: '/Compute',
    body,
    receiver: minerHotkey,
  });
  const refused = await fetch(`${base}/Compute`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  answers.push({
    status: refused.status,
    body: ((await refused.json()) as { kind?: string; error?: string }).kind ?? 'no kind',
  });
  return { axon: { ip: axon.ip, port: axon.port }, openapi, answers };
}

async function serveWith(
  port: number,
  args: string[],
  env: Record<string, string>,
): Promise<Awaited<ReturnType<typeof observe>>> {
  let miner: CliProcess | undefined;
  try {
    miner = await startCli(['miner', ...args], { SUBNETKIT_LOG_FORMAT: 'json', ...env });
    return await observe(port).catch((err: Error) => {
      throw new Error(`${err.message}\nminer output:\n${miner?.output()}`);
    });
  } finally {
    if (miner) expect(await miner.stop(), miner.output()).toBe(0);
  }
}

describe('subnetkit miner configured by flags, by SUBNETKIT_* alone, by a config file alone', () => {
  it('serves exactly the same', async () => {
    const chain = devnet.url;
    const flagPort = await freePort();
    const byFlags = await serveWith(
      flagPort,
      [
        '--subnet',
        'echo',
        '--netuid',
        String(NETUID),
        '--wallet',
        'm',
        '--hotkey',
        'h',
        '--wallet-path',
        root,
        '--chain',
        chain,
        '--port',
        String(flagPort),
        '--host',
        '127.0.0.1',
        '--external-ip',
        '127.0.0.1',
        '--max-queue',
        '8',
        '--metagraph-refresh',
        '5',
      ],
      {},
    );
    expect(byFlags.answers.slice(0, 2)).toEqual([
      { status: 200, body: { result: 5 } },
      { status: 200, body: { result: 42 } },
    ]);
    expect(byFlags.answers[2]!.status).toBe(403);

    const envPort = String(await freePort());
    const byEnv = await serveWith(Number(envPort), [], {
      SUBNETKIT_SUBNET: 'echo',
      SUBNETKIT_NETUID: String(NETUID),
      SUBNETKIT_WALLET: 'm',
      SUBNETKIT_HOTKEY: 'h',
      SUBNETKIT_WALLET_PATH: root,
      SUBNETKIT_CHAIN: chain,
      SUBNETKIT_PORT: envPort,
      SUBNETKIT_HOST: '127.0.0.1',
      SUBNETKIT_EXTERNAL_IP: '127.0.0.1',
      SUBNETKIT_MAX_QUEUE: '8',
      SUBNETKIT_METAGRAPH_REFRESH: '5',
    });

    const filePort = await freePort();
    const file = join(root, 'miner.yaml');
    writeFileSync(
      file,
      [
        'subnet: echo',
        `netuid: ${NETUID}`,
        'wallet: m',
        'hotkey: h',
        `walletPath: ${root}`,
        `chain: ${chain}`,
        `port: ${filePort}`,
        'host: 127.0.0.1',
        'externalIp: 127.0.0.1',
        'maxQueue: 8',
        'metagraphRefresh: 5',
        '',
      ].join('\n'),
    );
    const byFile = await serveWith(filePort, ['--config', file], {});

    // Same service; only the port each was told to use differs.
    const samePort = (o: typeof byFlags) => ({ ...o, axon: { ...o.axon, port: 0 } });
    expect(samePort(byEnv)).toEqual(samePort(byFlags));
    expect(samePort(byFile)).toEqual(samePort(byFlags));
    expect(byEnv.axon.port).toBe(Number(envPort));
    expect(byFile.axon.port).toBe(filePort);
  }, 240_000);
});
