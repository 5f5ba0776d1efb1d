import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { signRequest } from '@subnetkit/core';
import echo from '@subnetkit/subnet-echo';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AxonEndpoint, MinerChainAccess, MinerSetupContext } from '@subnetkit/core';
import type { MinerChain, MinerMetagraph } from './metagraph.js';
import { describeBackend, startMiner } from './miner.js';

let keyring: Keyring;
const dataDir = mkdtempSync(join(tmpdir(), 'miner-test-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519' });
});

/** An in-memory chain: one subnet, axons keyed by hotkey, serve_axon calls recorded. */
function fakeChain(snapshot: MinerMetagraph, axons = new Map<string, AxonEndpoint>()) {
  const served: AxonEndpoint[] = [];
  const chain: MinerChain = {
    metagraph: async () => snapshot,
    axonOf: async (_netuid, hotkey) => axons.get(hotkey),
    serveAxon: async (_netuid, endpoint) => {
      served.push({ ip: endpoint.ip, port: endpoint.port });
    },
  };
  return { chain, served, axons };
}

describe('startMiner', () => {
  it('serves, announces a changed axon once, answers signed requests, and stops', async () => {
    const minerKey = keyring.addFromUri('//Bob');
    const validator = keyring.addFromUri('//Alice');
    const { chain, served, axons } = fakeChain({
      hotkeys: [minerKey.address, validator.address],
      stake: [0, 100],
      validatorPermit: [false, true],
    });
    const running = await startMiner({
      plugin: echo,
      hotkey: minerKey,
      netuid: 3,
      chain,
      port: 0,
      host: '127.0.0.1',
      externalIp: '10.1.2.3',
      dataDir,
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(served).toEqual([{ ip: '10.1.2.3', port: running.port }]);
      expect(running.announced).toEqual({ ip: '10.1.2.3', port: running.port, changed: true });
      expect(running.backend).toBe('js (no tensor backend)');
      const body = JSON.stringify({ a: 9, b: 4, op: 'sub' });
      const headers = await signRequest({
        signer: validator,
        method: 'POST',
        target: '/Compute',
        body,
        receiver: minerKey.address,
      });
      const res = await fetch(`${running.url}/Compute`, { method: 'POST', headers, body });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ result: 5 });
      const health = await fetch(`${running.url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      await running.stop();
    }
    // Same address already on chain: no second serve_axon.
    axons.set(minerKey.address, { ip: '10.1.2.3', port: 45_678 });
    const again = await startMiner({
      plugin: echo,
      hotkey: minerKey,
      netuid: 3,
      chain,
      port: 0,
      host: '127.0.0.1',
      externalIp: '10.1.2.3',
      externalPort: 45_678,
      dataDir,
      logger: pino({ level: 'silent' }),
    });
    await again.stop();
    expect(served).toHaveLength(1);
    expect(again.announced?.changed).toBe(false);
  });

  it('refuses to start with an unregistered hotkey, naming it and the fix', async () => {
    const minerKey = keyring.addFromUri('//Dave');
    const { chain } = fakeChain({ hotkeys: [], stake: [], validatorPermit: [] });
    await expect(
      startMiner({
        plugin: echo,
        hotkey: minerKey,
        netuid: 3,
        chain,
        port: 0,
        dataDir,
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toThrow(new RegExp(`${minerKey.address} is not registered on netuid 3.*register`));
  });

  it("hands the plugin's setup the subnet chain and peers it was given, and aborts its signal on stop", async () => {
    const minerKey = keyring.addFromUri('//Bob');
    const { chain } = fakeChain({ hotkeys: [minerKey.address], stake: [0], validatorPermit: [false] });
    const commits: Uint8Array[] = [];
    const pluginChain: MinerChainAccess = {
      netuid: 3,
      hotkey: minerKey.address,
      block: async () => 7,
      commitments: async () => [],
      incentive: async () => ({}),
      tempo: async () => 10,
      uid: async () => 0,
      commit: async (data) => {
        commits.push(data);
        return { block: 7 };
      },
    };
    const peers = { fetch: async () => new Uint8Array([1]) };
    let seen: MinerChainAccess | undefined;
    let seenPeers: unknown;
    let signal: AbortSignal | undefined;
    const plugin = {
      ...echo,
      miner: {
        ...echo.miner,
        setup: async (ctx: MinerSetupContext) => {
          seen = ctx.chain;
          seenPeers = ctx.peers;
          signal = ctx.signal;
          await ctx.chain?.commit(new Uint8Array([1]));
          return echo.miner.setup(ctx);
        },
      },
    };
    const running = await startMiner({
      plugin,
      hotkey: minerKey,
      netuid: 3,
      chain,
      pluginChain,
      peers,
      port: 0,
      host: '127.0.0.1',
      skipAnnounce: true,
      dataDir,
      logger: pino({ level: 'silent' }),
    });
    expect(signal?.aborted).toBe(false);
    await running.stop();
    // The plugin's signal ends background work started in setup when the miner stops.
    expect(signal?.aborted).toBe(true);
    expect(seen).toBe(pluginChain);
    expect(seenPeers).toBe(peers);
    expect(commits).toEqual([new Uint8Array([1])]);
  });

  it('logs a status line per interval with requests, errors and the backend', async () => {
    const minerKey = keyring.addFromUri('//Bob');
    const validator = keyring.addFromUri('//Alice');
    const { chain } = fakeChain({
      hotkeys: [minerKey.address, validator.address],
      stake: [0, 100],
      validatorPermit: [false, true],
    });
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const running = await startMiner({
      plugin: echo,
      hotkey: minerKey,
      netuid: 3,
      chain,
      port: 0,
      host: '127.0.0.1',
      skipAnnounce: true,
      dataDir,
      logger,
      backend: 'cpu',
      statusIntervalMs: 100,
    });
    try {
      const body = JSON.stringify({ a: 1, b: 1, op: 'add' });
      const headers = await signRequest({
        signer: validator,
        method: 'POST',
        target: '/Compute',
        body,
        receiver: minerKey.address,
      });
      expect((await fetch(`${running.url}/Compute`, { method: 'POST', headers, body })).status).toBe(200);
      expect((await fetch(`${running.url}/Compute`, { method: 'POST', headers, body })).status).toBe(401);
      // Requests may straddle an interval boundary: add up the status lines until both are counted.
      const statusLines = () => lines.filter((l) => typeof l.requests === 'number');
      const total = (key: 'requests' | 'errors') =>
        statusLines().reduce((sum, l) => sum + (l[key] as number), 0);
      for (let i = 0; i < 100 && total('requests') < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(total('requests')).toBe(2);
      expect(total('errors')).toBe(1);
      expect(statusLines()[0]).toMatchObject({ backend: 'cpu' });
      expect(String(statusLines()[0]?.msg)).toMatch(/\d+ requests, \d+ errors; backend cpu/);
    } finally {
      await running.stop();
    }
  });

  it('names the inference backend carried by a model', () => {
    expect(describeBackend({ backend: { backend: 'wasm', device: 'cpu-simd' } })).toBe('wasm/cpu-simd');
    expect(describeBackend({ backend: 'cpu' })).toBe('cpu');
    expect(describeBackend(null)).toMatch(/js/);
  });
});
