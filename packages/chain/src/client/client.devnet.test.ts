/**
 * The client against a running devnet over WebSocket: every call, and the failure paths with the exact text
 * a user sees. One devnet (instant blocks) for the file; blocks are produced on demand to move time.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Devnet, startDevnet } from '@subnetkit/devnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertWeightsAndUidsForEmit, processWeightsForNetuid, taoToRao } from '@subnetkit/core';
import { type SubtensorClient, connect } from './client.js';
import { JsonFileCommitStore, MemoryCommitStore } from './commit-store.js';
import { ChainError } from './errors.js';

const TEMPO = 10;
const RATE_LIMIT = 5;
const VERSION_KEY = 3;

let devnet: Devnet;
let client: SubtensorClient;
let commitDir: string;
let k: Record<'alice' | 'bob' | 'charlie' | 'dave' | 'eve' | 'ownerHot' | 'bobHot' | 'crHot', KeyringPair>;

beforeAll(async () => {
  await cryptoWaitReady();
  const kr = new Keyring({ type: 'sr25519', ss58Format: 42 });
  k = {
    alice: kr.addFromUri('//Alice'),
    bob: kr.addFromUri('//Bob'),
    charlie: kr.addFromUri('//Charlie'),
    dave: kr.addFromUri('//Dave'),
    eve: kr.addFromUri('//Eve'),
    ownerHot: kr.addFromUri('//Alice//hot'),
    bobHot: kr.addFromUri('//Bob//hot'),
    crHot: kr.addFromUri('//Alice//cr'),
  };
  devnet = await startDevnet({
    port: 0,
    blockTime: 'instant',
    genesis: {
      subnets: [
        {
          netuid: 1,
          owner: '//Alice',
          ownerHotkey: '//Alice//hot',
          hyperparameters: {
            tempo: TEMPO,
            weightsRateLimit: RATE_LIMIT,
            weightsVersionKey: VERSION_KEY,
            commitRevealWeightsEnabled: false,
            minAllowedWeights: 1,
          },
          neurons: [
            { hotkey: '//Bob//hot', coldkey: '//Bob', stake: 100, axon: { ip: '10.0.0.1', port: 8091 } },
            { hotkey: '//Charlie//hot', coldkey: '//Charlie', stake: 50 },
            { hotkey: '//Dave//hot', coldkey: '//Dave', stake: 25 },
          ],
        },
        {
          netuid: 2,
          owner: '//Alice',
          ownerHotkey: '//Alice//cr',
          hyperparameters: {
            tempo: TEMPO,
            weightsRateLimit: 0,
            commitRevealWeightsEnabled: true,
            revealPeriodEpochs: 1,
            minAllowedWeights: 1,
          },
          neurons: [{ hotkey: '//Eve//hot', coldkey: '//Eve', stake: 10 }],
        },
      ],
    },
  });
  commitDir = await mkdtemp(join(tmpdir(), 'subnetkit-commits-'));
  // v2 hash commits here; timelocked commits have their own describe below.
  client = await connect(devnet.url, { commitStore: new JsonFileCommitStore(commitDir), commitMode: 'v2' });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await devnet?.stop();
  if (commitDir) await rm(commitDir, { recursive: true, force: true });
});

async function expectChainError(p: Promise<unknown>, text: string | RegExp, chainError: string) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected the call to fail').toBeInstanceOf(ChainError);
  expect((e as ChainError).message).toMatch(text);
  expect((e as ChainError).chainError).toBe(chainError);
}

describe('connect', () => {
  it('reconnects with backoff after the node restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'subnetkit-reconnect-'));
    const statePath = join(dir, 'state.json');
    let node = await startDevnet({ port: 0, blockTime: 'instant', statePath });
    const port = node.port;
    const c = await connect(node.url, { reconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    try {
      node.produceBlocks(2);
      expect((await c.block()).number).toBe(2);
      await node.stop();
      await expect(c.block()).rejects.toThrow();
      node = await startDevnet({ port, blockTime: 'instant', statePath });
      for (let i = 0; i < 100 && !c.api.isConnected; i++) await new Promise((r) => setTimeout(r, 50));
      expect(c.api.isConnected).toBe(true);
      expect((await c.block()).number).toBe(2);
    } finally {
      await c.close();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('after reconnecting to a node restarted from older state, submits with the nonce that node expects', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'subnetkit-renonce-'));
    const statePath = join(dir, 'state.json');
    let node = await startDevnet({ port: 0, blockTime: 'instant', statePath });
    const port = node.port;
    const c = await connect(node.url, { reconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    try {
      await node.save();
      await copyFile(statePath, join(dir, 'older.json'));
      await c.transfer(k.alice, k.bob.address, 1n, { timeoutMs: 5_000 }); // the client now holds nonce 1
      await node.stop();
      await copyFile(join(dir, 'older.json'), statePath); // the node comes back without that transfer
      node = await startDevnet({ port, blockTime: 'instant', statePath });
      for (let i = 0; i < 100 && !c.api.isConnected; i++) await new Promise((r) => setTimeout(r, 50));
      expect(c.api.isConnected).toBe(true);
      // A kept nonce 1 would sit in the pool as a future transaction until the timeout.
      const r = await c.transfer(k.alice, k.bob.address, 1n, { timeoutMs: 5_000 });
      expect(r.blockNumber).toBeGreaterThan(0);
    } finally {
      await c.close();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('times out a node that accepts the WebSocket but never answers, naming the URL', async () => {
    // A WebSocket handshake and then silence: every JSON-RPC request must time out, not hang.
    const server = createServer();
    const sockets = new Set<import('node:net').Socket>();
    server.on('upgrade', (req, socket) => {
      sockets.add(socket as import('node:net').Socket);
      const accept = createHash('sha1')
        .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await expect(
        connect(`ws://127.0.0.1:${port}`, { connectTimeoutMs: 2500, requestTimeoutMs: 500 }),
      ).rejects.toThrow(
        `ws://127.0.0.1:${port} accepted the WebSocket but did not answer the API's requests within 2500 ms`,
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('names the URL and the reason when no node answers', async () => {
    await expect(connect('ws://127.0.0.1:1', { connectTimeoutMs: 1500 })).rejects.toThrow(
      /cannot connect to ws:\/\/127\.0\.0\.1:1 .*check the URL \(--chain\) and that the node is running/,
    );
  });
});

describe('reads', () => {
  it('reads hyperparameters from chain storage', async () => {
    const hp = await client.hyperparameters(1);
    expect(hp).toMatchObject({
      netuid: 1,
      tempo: TEMPO,
      n: 4,
      weightsSetRateLimit: RATE_LIMIT,
      weightsVersionKey: BigInt(VERSION_KEY),
      commitRevealWeightsEnabled: false,
      minAllowedWeights: 1,
      maxWeightsLimit: 65535,
      maxWeightLimit: 1,
      ownerColdkey: k.alice.address,
      ownerHotkey: k.ownerHot.address,
    });
    await expect(client.hyperparameters(77)).rejects.toThrow(/netuid 77 does not exist on ws:/);
  });

  it('syncs the metagraph: keys, stake, axons, vectors', async () => {
    const m = await client.syncMetagraph(1);
    expect(m.n).toBe(4);
    expect(m.uids).toEqual([0, 1, 2, 3]);
    expect(m.hotkeys[0]).toBe(k.ownerHot.address);
    expect(m.hotkeys[1]).toBe(k.bobHot.address);
    expect(m.coldkeys.slice(0, 3)).toEqual([k.alice.address, k.bob.address, k.charlie.address]);
    expect(m.alphaStake.slice(1)).toEqual([100, 50, 25]);
    expect(m.axons[1]).toMatchObject({ ip: '10.0.0.1', port: 8091, ipType: 4 });
    expect(m.axons[2]).toMatchObject({ ip: '0.0.0.0', port: 0 });
    for (const f of [
      'incentive',
      'dividends',
      'consensus',
      'emission',
      'lastUpdate',
      'active',
      'validatorPermit',
    ] as const) {
      expect(m[f]).toHaveLength(4);
    }
    expect(m.hyperparameters.tempo).toBe(TEMPO);
  });
});

describe('set_weights', () => {
  it('refuses values that are not u16 integers, naming how to make them', async () => {
    const bad = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as ChainError,
      );
    const e = await bad(client.setWeights(k.ownerHot, 1, [1, 2], [0.5, 0.5], VERSION_KEY));
    expect(e).toBeInstanceOf(ChainError);
    expect(e?.code).toBe('BadInput');
    expect(e?.message).toBe(
      'values[0] is 0.5: setWeights sends u16 weight values as given; turn scores into them with ' +
        'processWeightsForNetuid and convertWeightsAndUidsForEmit from @subnetkit/core',
    );
    expect((await bad(client.setWeights(k.ownerHot, 1, [-1], [1], VERSION_KEY)))?.message).toMatch(
      /uids\[0\] is -1/,
    );
  });

  it('sends the u16 values as given, returns block and tx hash, and they are on chain', async () => {
    const r = await client.setWeights(k.ownerHot, 1, [1, 2, 3], [65535, 32768, 32768], VERSION_KEY);
    expect(r.mode).toBe('set');
    expect(r.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.blockHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.uids).toEqual([1, 2, 3]);
    expect(r.values).toEqual([65535, 32768, 32768]);
    const m = await client.syncMetagraph(1, { weights: true });
    expect(m.weights?.[0]).toEqual([
      [1, 65535],
      [2, 32768],
      [3, 32768],
    ]);
    expect(m.lastUpdate[0]).toBe(r.blockNumber);
  });

  it('rate limit: refuses locally with when to retry, and decodes the chain error the same way', async () => {
    const last = (await client.syncMetagraph(1)).lastUpdate[0]!;
    await expectChainError(
      client.setWeights(k.ownerHot, 1, [1], [1], VERSION_KEY),
      new RegExp(
        `^setWeights not sent: weights set too fast: netuid 1 allows weights every ${RATE_LIMIT} blocks; ` +
          `last update was at block ${last}, retry at block ${last + RATE_LIMIT} or later`,
      ),
      'SettingWeightsTooFast',
    );
    await expectChainError(
      client.setWeights(k.ownerHot, 1, [1], [1], VERSION_KEY, { preflight: false }),
      new RegExp(
        `weights set too fast: netuid 1 allows weights every ${RATE_LIMIT} blocks; last update was at block ${last}, ` +
          `retry at block ${last + RATE_LIMIT} or later`,
      ),
      'SettingWeightsTooFast',
    );
    devnet.produceBlocks(RATE_LIMIT);
    const ok = await client.setWeights(k.ownerHot, 1, [1], [1], VERSION_KEY);
    expect(ok.mode).toBe('set');
  });

  it('unregistered hotkey: names the hotkey, the netuid and the command to register', async () => {
    const text = `hotkey ${k.eve.address} is not registered on netuid 1; register it first (\`subnetkit subnet register --netuid 1\`)`;
    await expectChainError(
      client.setWeights(k.eve, 1, [1], [1], VERSION_KEY),
      text,
      'HotKeyNotRegisteredInSubNet',
    );
    await expectChainError(
      client.setWeights(k.eve, 1, [1], [1], VERSION_KEY, { preflight: false }),
      text,
      'HotKeyNotRegisteredInSubNet',
    );
  });

  it('bad version key: says which key the chain requires', async () => {
    devnet.produceBlocks(RATE_LIMIT);
    const text = `weights version key 1 is too old for netuid 1 (the chain requires >= ${VERSION_KEY})`;
    await expectChainError(client.setWeights(k.ownerHot, 1, [1], [1], 1), text, 'IncorrectWeightVersionKey');
    await expectChainError(
      client.setWeights(k.ownerHot, 1, [1], [1], 1, { preflight: false }),
      text,
      'IncorrectWeightVersionKey',
    );
  });

  it('too few weights: after the owner raises MinAllowedWeights, a short vector is refused', async () => {
    await client.sudo(k.alice, 'sudoSetMinAllowedWeights', [1, 3]);
    expect((await client.hyperparameters(1)).minAllowedWeights).toBe(3);
    devnet.produceBlocks(RATE_LIMIT);
    const text = /too few weights for netuid 1: the chain requires at least 3 non-self entries \(got 1\)/;
    await expectChainError(
      client.setWeights(k.ownerHot, 1, [1], [65535], VERSION_KEY),
      text,
      'WeightVecLengthIsLow',
    );
    await expectChainError(
      client.setWeights(k.ownerHot, 1, [1], [65535], VERSION_KEY, { preflight: false }),
      text,
      'WeightVecLengthIsLow',
    );
    // Processed by the caller (core's pipeline, as the validator does), the same intent fills up to the minimum.
    const hp = await client.hyperparameters(1);
    const p = processWeightsForNetuid({
      uids: [1],
      weights: [1],
      n: hp.n,
      minAllowedWeights: hp.minAllowedWeights,
      maxWeightLimit: hp.maxWeightLimit,
    });
    const emit = convertWeightsAndUidsForEmit(p.uids, p.weights);
    const r = await client.setWeights(k.ownerHot, 1, emit.uids, emit.weights, VERSION_KEY);
    expect(r.uids.length).toBeGreaterThanOrEqual(3);
    expect(r.values).toEqual(emit.weights);
  });
});

describe('commit-reveal', () => {
  it('commits instead of setting, persists the salt, and a restarted client reveals in the window', async () => {
    const r = await client.setWeights(k.crHot, 2, [0, 1], [21845, 65535], 0);
    expect(r.mode).toBe('commit');
    if (r.mode !== 'commit') return;
    const stored = await new JsonFileCommitStore(commitDir).load(k.crHot.address, 2);
    expect(stored.map((c) => c.commitHash)).toEqual([r.commitHash]);
    expect(stored[0]!.commitBlock).toBe(r.blockNumber);

    // A restarted validator: new connection, same commit directory.
    const restarted = await connect(devnet.url, {
      commitStore: new JsonFileCommitStore(commitDir),
      commitMode: 'v2',
    });
    try {
      const early = await restarted.revealDueCommits(k.crHot, 2);
      expect(early).toEqual([
        { commitHash: r.commitHash, status: 'waiting', revealAtBlock: r.revealAtBlock },
      ]);
      const best = (await restarted.block()).number;
      devnet.produceBlocks(Math.max(0, r.revealAtBlock! - best - 1));
      const out = await restarted.revealDueCommits(k.crHot, 2);
      expect(out.map((o) => o.status)).toEqual(['revealed']);
      expect(await new JsonFileCommitStore(commitDir).load(k.crHot.address, 2)).toEqual([]);
      const m = await restarted.syncMetagraph(2, { weights: true });
      expect(m.weights?.[0]).toEqual([
        [0, 21845],
        [1, 65535],
      ]);
    } finally {
      await restarted.close();
    }
  });
});

describe('commit-reveal expiry', () => {
  it('drops a commit whose reveal window passed, and reports it', async () => {
    const r = await client.setWeights(k.crHot, 2, [0, 1], [65535, 65535], 0);
    if (r.mode !== 'commit') throw new Error('expected a commit');
    const best = (await client.block()).number;
    // Past the whole reveal window (one tempo long).
    devnet.produceBlocks(r.revealAtBlock! - best + TEMPO + 2);
    const out = await client.revealDueCommits(k.crHot, 2);
    expect(out).toEqual([{ commitHash: r.commitHash, status: 'expired' }]);
    expect(await client.commitStore.load(k.crHot.address, 2)).toEqual([]);
  });
});

describe('timelocked commit-reveal (CR v4)', () => {
  it('encrypts to the devnet beacon, is not re-sent after a restart, and the chain reveals it', async () => {
    const store = new MemoryCommitStore();
    const tl = await connect(devnet.url, { commitStore: store });
    try {
      expect(tl.commitMode()).toBe('timelock');
      const r = await tl.setWeights(k.crHot, 2, [0, 1], [32768, 65535], 0);
      if (r.mode !== 'commit') throw new Error('expected a commit');
      expect(r.revealRound).toBeGreaterThan(0n);
      const stored = await store.load(k.crHot.address, 2);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.revealRound).toBe(r.revealRound!.toString());
      expect(r.events.map((e) => e.event.method)).toContain('TimelockedWeightsCommitted');
      // Same weights again in the same epoch (a restarted validator): the stored commit is reused.
      const again = await tl.setWeights(k.crHot, 2, [0, 1], [32768, 65535], 0);
      expect(again.mode === 'commit' && again.reused).toBe(true);
      expect(await tl.revealDueCommits(k.crHot, 2)).toEqual([
        { commitHash: r.commitHash, status: 'waiting', revealAtBlock: r.revealAtBlock },
      ]);
      const best = (await tl.block()).number;
      devnet.produceBlocks(Math.max(1, r.revealAtBlock! - best));
      const m = await tl.syncMetagraph(2, { weights: true });
      expect(m.weights?.[0]).toEqual([
        [0, 32768],
        [1, 65535],
      ]);
      expect(await tl.revealDueCommits(k.crHot, 2)).toEqual([{ commitHash: r.commitHash, status: 'gone' }]);
      expect(await store.load(k.crHot.address, 2)).toEqual([]);
    } finally {
      await tl.close();
    }
  });
});

describe('registration, serving, staking, transfers', () => {
  let netuid: number;

  it('registers a subnet, starts it, and burns-registers a hotkey', async () => {
    const created = await client.registerNetwork(k.charlie, k.dave.address);
    netuid = created.netuid;
    expect(netuid).toBeGreaterThan(2);
    expect((await client.hyperparameters(netuid)).ownerColdkey).toBe(k.charlie.address);
    await client.startCall(k.charlie, netuid);
    const before = await client.block();
    const reg = await client.burnedRegister(k.bob, netuid, k.eve.address);
    expect(reg.uid).toBe(1);
    expect(await client.uidOf(netuid, k.eve.address)).toBe(1);
    // The metagraph at an earlier block shows the state of that block.
    expect((await client.syncMetagraph(netuid, { block: before.number })).hotkeys).toEqual([k.dave.address]);
    expect((await client.syncMetagraph(netuid)).hotkeys).toEqual([k.dave.address, k.eve.address]);
    await expectChainError(
      client.burnedRegister(k.bob, netuid, k.eve.address),
      `hotkey ${k.eve.address} is already registered on netuid ${netuid}`,
      'HotKeyAlreadyRegisteredInSubNet',
    );
  });

  it('serves an axon and reads it back decoded; the serving rate limit names the cause', async () => {
    await client.serveAxon(k.eve, { netuid, ip: '203.0.113.7', port: 9000, version: 7 });
    const m = await client.syncMetagraph(netuid);
    expect(m.axons[1]).toMatchObject({ ip: '203.0.113.7', port: 9000, version: 7, ipType: 4, protocol: 4 });
    await expectChainError(
      client.serveAxon(k.eve, { netuid, ip: '203.0.113.8', port: 9000 }),
      /axon served too often on netuid \d+/,
      'ServingRateLimitExceeded',
    );
    await expectChainError(
      client.serveAxon(k.dave, { netuid: 1, ip: '203.0.113.8', port: 9000 }),
      `hotkey ${k.dave.address} is not registered on netuid 1`,
      'HotKeyNotRegisteredInNetwork',
    );
  });

  it('adds and removes stake', async () => {
    const before = await client.hotkeyStake(k.eve.address, netuid);
    await client.addStake(k.bob, k.eve.address, netuid, taoToRao(10));
    const mid = await client.hotkeyStake(k.eve.address, netuid);
    expect(mid).toBeGreaterThan(before);
    await client.removeStake(k.bob, k.eve.address, netuid, (mid - before) / 2n);
    expect(await client.hotkeyStake(k.eve.address, netuid)).toBeLessThan(mid);
    const e = await client
      .addStake(k.bob, k.eve.address, netuid, taoToRao(10_000_000))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ChainError);
    expect((e as ChainError).message).toMatch(
      /has too little free balance for this call .*transfer TAO to it first/,
    );
  });

  it('transfers, with concurrent submissions from one key getting distinct nonces', async () => {
    const before = await client.balance(k.dave.address);
    const results = await Promise.all([
      client.transfer(k.alice, k.dave.address, taoToRao('0.5')),
      client.transfer(k.alice, k.dave.address, taoToRao('0.5'), { waitFor: 'finalized' }),
      client.transfer(k.alice, k.dave.address, taoToRao('0.5')),
    ]);
    expect(new Set(results.map((r) => r.txHash)).size).toBe(3);
    expect(await client.balance(k.dave.address)).toBe(before + taoToRao('1.5'));
    // Another process uses the same key: this client's cached nonce goes stale, it resyncs and re-signs.
    const other = await connect(devnet.url);
    try {
      await other.transfer(k.alice, k.dave.address, taoToRao('0.5'));
    } finally {
      await other.close();
    }
    await client.transfer(k.alice, k.dave.address, taoToRao('0.5'));
    expect(await client.balance(k.dave.address)).toBe(before + taoToRao('2.5'));
  });
});

describe('blocks', () => {
  it('subscribes to new heads with the tempo position', async () => {
    const seen: { number: number; epoch?: number; until?: number }[] = [];
    const unsub = await client.subscribeBlocks(
      (b) => seen.push({ number: b.number, epoch: b.tempo?.epoch, until: b.tempo?.blocksUntilNextEpoch }),
      { netuid: 1 },
    );
    try {
      const start = devnet.bestNumber();
      devnet.produceBlocks(3);
      for (let i = 0; i < 100 && !seen.some((s) => s.number === start + 3); i++)
        await new Promise((r) => setTimeout(r, 20));
    } finally {
      unsub();
    }
    const last = seen.at(-1)!;
    expect(last.number).toBe(devnet.bestNumber());
    expect(last.until).toBe(TEMPO - ((last.number + 1 + 1) % (TEMPO + 1)));
  });
});
