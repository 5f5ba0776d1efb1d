import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAxonInfo } from './axon.js';
import { JsonFileCommitStore, MemoryCommitStore, type PendingCommit } from './commit-store.js';
import { commitTiming, randomSalt } from './commit-timing.js';
import { ChainError, chainErrorRetry, explainChainError, poolErrorToChainError } from './errors.js';
import { NETWORKS, resolveChainUrl } from './networks.js';
import { NonceManager } from './nonce.js';

describe('axon info', () => {
  it('decodes the 34-byte AxonInfo SCALE value', () => {
    const b = new Uint8Array(34);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, 1234n, true);
    dv.setUint32(8, 10002000, true);
    dv.setUint32(12, 3232235786, true); // low 32 bits of the u128
    dv.setUint16(28, 8091, true);
    b[30] = 4;
    b[31] = 4;
    expect(decodeAxonInfo(b)).toEqual({
      block: 1234,
      version: 10002000,
      ip: '192.168.1.10',
      port: 8091,
      ipType: 4,
      protocol: 4,
    });
    expect(decodeAxonInfo(null)).toBeNull();
  });
});

describe('errors say whether a retry can help', () => {
  it('classes rate limits, what needs a person, and the rest', () => {
    const tooFast = new ChainError('Preflight', 'x', { chainError: 'SettingWeightsTooFast' });
    expect([tooFast.retry, tooFast.retryable]).toEqual(['rate_limited', true]);
    const noPermit = new ChainError('Dispatch', 'x', { chainError: 'NeuronNoValidatorPermit' });
    expect([noPermit.retry, noPermit.retryable]).toEqual(['permanent', false]);
    expect(new ChainError('Dispatch', 'x', { chainError: 'HotKeyNotRegisteredInSubNet' }).retryable).toBe(
      false,
    );
    expect(new ChainError('ConnectionFailed', 'x').retry).toBe('transient');
    expect(new ChainError('Timeout', 'x').retryable).toBe(true);
    expect(new ChainError('BadInput', 'x').retry).toBe('permanent');
    expect(new ChainError('CallUnavailable', 'x').retry).toBe('permanent');
    expect(new ChainError('Dispatch', 'x', { chainError: 'SomethingNew' }).retry).toBe('transient');
    expect(chainErrorRetry('Dispatch', 'IncorrectWeightVersionKey')).toBe('permanent');
    expect(chainErrorRetry('PoolRejected')).toBe('transient');
  });

  it('pool rejections carry the class of the decoded name', () => {
    expect(poolErrorToChainError(new Error('1010: Invalid Transaction: Custom error: 6')).retry).toBe(
      'rate_limited',
    );
    expect(poolErrorToChainError(new Error('1010: Invalid Transaction: Custom error: 10')).retry).toBe(
      'permanent',
    );
    expect(poolErrorToChainError(new Error('1010: Invalid Transaction: Custom error: 2')).retryable).toBe(
      false,
    );
    expect(poolErrorToChainError(new Error('1014: Priority is too low')).retry).toBe('rate_limited');
    expect(poolErrorToChainError(new Error('1010: bad signature')).retry).toBe('permanent');
  });
});

describe('error messages name the cause and the fix', () => {
  it('rate limit: when to retry', () => {
    const m = explainChainError('SettingWeightsTooFast', {
      netuid: 1,
      lastUpdate: 500,
      rateLimit: 100,
      block: 550,
    });
    expect(m).toBe(
      'weights set too fast: netuid 1 allows weights every 100 blocks; last update was at block 500, ' +
        'retry at block 600 or later (now 550)',
    );
  });

  it('unregistered hotkey, version key, too few weights', () => {
    expect(explainChainError('HotKeyNotRegisteredInSubNet', { netuid: 3, hotkey: '5Abc' })).toMatch(
      /hotkey 5Abc is not registered on netuid 3; register it first \(`subnetkit subnet register --netuid 3`\)/,
    );
    expect(
      explainChainError('IncorrectWeightVersionKey', { netuid: 1, versionKey: 1n, chainVersionKey: 5n }),
    ).toMatch(/version key 1 is too old for netuid 1 \(the chain requires >= 5\)/);
    expect(
      explainChainError('WeightVecLengthIsLow', { netuid: 1, minAllowedWeights: 8, n: 4, weightsCount: 1 }),
    ).toMatch(/requires at least 4 non-self entries \(got 1\)/);
  });

  it('maps pool custom errors (1010) to names and messages', () => {
    const e = poolErrorToChainError(new Error('1010: Invalid Transaction: Custom error: 6'), {
      call: 'setWeights',
      netuid: 2,
      rateLimit: 10,
    });
    expect(e.code).toBe('PoolRejected');
    expect(e.chainError).toBe('RateLimitExceeded');
    expect(e.message).toMatch(
      /^setWeights rejected: weights set too fast: netuid 2 allows weights every 10 blocks/,
    );
    expect(
      poolErrorToChainError(new Error('1010: Invalid Transaction: Custom error: 10'), { netuid: 1 }).message,
    ).toMatch(/not registered on netuid 1/);
    expect(poolErrorToChainError(new Error('1014: Priority is too low')).chainError).toBe('NonceConflict');
  });
});

describe('commit timing', () => {
  it('classifies both WeightCommits layouts against the reveal window', () => {
    // Block-window layout (hash, commit_block, first_reveal_block, last_reveal_block).
    const s = { netuid: 1, tempo: 10, revealPeriodEpochs: 1, currentEpoch: 0 };
    expect(commitTiming(['0x', 5, 20, 30], 19, s)).toEqual({ status: 'waiting', revealAtBlock: 20 });
    expect(commitTiming(['0x', 5, 20, 30], 20, s)).toEqual({ status: 'due', revealAtBlock: 20 });
    expect(commitTiming(['0x', 5, 20, 30], 31, s).status).toBe('expired');
    // Epoch layout (hash, commit_epoch, commit_block, 0).
    expect(commitTiming(['0x', 1, 12, 0], 13, { ...s, currentEpoch: 1 })).toEqual({
      status: 'waiting',
      revealAtBlock: 20,
    });
    expect(commitTiming(['0x', 1, 12, 0], 21, { ...s, currentEpoch: 2 }).status).toBe('due');
    expect(commitTiming(['0x', 1, 12, 0], 40, { ...s, currentEpoch: 3 }).status).toBe('expired');
    const salt = randomSalt();
    expect(salt).toHaveLength(8);
    expect(salt.every((s) => Number.isInteger(s) && s >= 0 && s <= 65535)).toBe(true);
  });
});

describe('nonce manager', () => {
  it('gives concurrent submissions from one key distinct nonces and resyncs after a failure', async () => {
    const nm = new NonceManager();
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      return 7;
    };
    const seen: number[] = [];
    const submit = async (n: number) => {
      await new Promise((r) => setTimeout(r, 2));
      seen.push(n);
      return n;
    };
    const got = await Promise.all([1, 2, 3].map(() => nm.run('alice', fetch, submit)));
    expect(got).toEqual([7, 8, 9]);
    expect(seen).toEqual([7, 8, 9]);
    expect(fetches).toBe(1);
    await expect(
      nm.run('alice', fetch, async () => {
        throw new Error('pool said no');
      }),
    ).rejects.toThrow('pool said no');
    expect(await nm.run('alice', fetch, submit)).toBe(7); // re-read from the chain
    expect(fetches).toBe(2);
  });
});

describe('commit stores', () => {
  const commit = (hash: string, block: number): PendingCommit => ({
    netuid: 1,
    hotkey: '5Hot',
    commitHash: hash,
    uids: [0, 1],
    values: [65535, 100],
    salt: [1, 2, 3, 4, 5, 6, 7, 8],
    versionKey: '18446744073709551615',
    commitBlock: block,
  });
  const H1 = `0x${'a'.repeat(64)}`;
  const H2 = `0x${'b'.repeat(64)}`;

  it('JSON files survive a new store instance (restart) and are private', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'subnetkit-commits-'));
    try {
      await new JsonFileCommitStore(dir).save(commit(H2, 20));
      await new JsonFileCommitStore(dir).save(commit(H1, 10));
      const store = new JsonFileCommitStore(dir);
      expect((await store.load('5Hot', 1)).map((c) => c.commitHash)).toEqual([H1, H2]);
      expect(await store.load('5Hot', 2)).toEqual([]);
      expect((await stat(join(dir, `${H1}.json`))).mode & 0o777).toBe(0o600);
      await store.delete(H1);
      expect((await store.load('5Hot', 1)).map((c) => c.versionKey)).toEqual(['18446744073709551615']);
      expect(await readdir(dir)).toEqual([`${H2}.json`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('memory store has the same contract', async () => {
    const s = new MemoryCommitStore();
    await s.save(commit(H1, 1));
    expect(await s.load('5Hot', 1)).toHaveLength(1);
    await s.delete(H1);
    expect(await s.load('5Hot', 1)).toHaveLength(0);
  });
});

describe('network presets', () => {
  it('resolves names and URLs, and rejects anything else with the choices', () => {
    expect(resolveChainUrl('finney')).toBe(NETWORKS.finney);
    expect(resolveChainUrl(undefined)).toBe(NETWORKS.local);
    expect(resolveChainUrl('ws://10.0.0.1:9944')).toBe('ws://10.0.0.1:9944');
    expect(() => resolveChainUrl('mainnet')).toThrow(
      /use a ws:\/\/ or wss:\/\/ URL or one of local, test, finney/,
    );
  });
});
