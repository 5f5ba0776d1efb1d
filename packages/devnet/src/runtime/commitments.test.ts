import { timelockEncrypt } from '@subnetkit/core';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain.js';
import { buildGenesis, resolveAccount } from '../genesis.js';
import type { BeaconConfiguration } from './drand.js';
import { type CommitmentData, type Registration, commitmentSpace } from './commitments.js';
import { DispatchError } from './errors.js';

const C = 'Commitments';
const NETUID = 1;
const TEMPO = 9;

describe('devnet Commitments pallet', () => {
  let chain: Chain;
  let clockMs = 1_700_000_000_000;
  let m1: Uint8Array;
  let m2: Uint8Array;

  beforeAll(async () => {
    await cryptoWaitReady();
    chain = new Chain({ strictServeAxon: false });
    chain.drand.clock = () => clockMs;
    buildGenesis(chain, {
      drandPeriod: 1,
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: { tempo: TEMPO },
          neurons: [
            { hotkey: '//M1', coldkey: 'bob' },
            { hotkey: '//M2', coldkey: 'bob' },
          ],
        },
      ],
    });
    m1 = resolveAccount('//M1');
    m2 = resolveAccount('//M2');
  });

  const set = (who: Uint8Array, fields: CommitmentData[], netuid = NETUID) =>
    chain.rt.dispatch(
      { kind: 'signed', who },
      { tag: C, value: { tag: 'set_commitment', value: { netuid, info: { fields } } } },
    );
  const errorOf = (f: () => void): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof DispatchError) return e.message;
      throw e;
    }
    return 'ok';
  };
  const sha = (n: number): CommitmentData => ({ tag: 'Sha256', value: new Uint8Array(32).fill(n) });
  const epoch = () => chain.sub.epochIndex(NETUID, chain.rt.blockNumber);
  const untilEpochStart = () => {
    const e = epoch();
    while (epoch() === e) chain.produceBlock();
  };

  it('stores the commitment with its block and emits Commitment', () => {
    untilEpochStart();
    set(m1, [sha(1)]);
    const reg = chain.rt.state.get<Registration>(`${C}.CommitmentOf`, NETUID, m1);
    expect(reg.block).toBe(chain.rt.blockNumber);
    expect(reg.deposit).toBe(0n);
    expect(reg.info.fields).toEqual([sha(1)]);
    expect(chain.rt.state.get<number>(`${C}.LastCommitment`, NETUID, m1)).toBe(chain.rt.blockNumber);
    const last = chain.rt.events.at(-1)!.event as { tag: string; value: { tag: string } };
    expect(`${last.tag}.${last.value.tag}`).toBe('Commitments.Commitment');
  });

  it('refuses unregistered hotkeys, unknown subnets and too many fields with subtensor’s errors', () => {
    expect(errorOf(() => set(resolveAccount('//Nobody'), [sha(1)]))).toBe(
      'Commitments.AccountNotAllowedCommit',
    );
    expect(errorOf(() => set(m1, [sha(1)], 7))).toBe('Commitments.AccountNotAllowedCommit');
    expect(errorOf(() => set(m1, [sha(1), sha(2), sha(3), sha(4)]))).toBe(
      'Commitments.TooManyFieldsInCommitmentInfo',
    );
    expect(errorOf(() => set(m1, [sha(1), sha(2), sha(3)]))).toBe('ok');
  });

  it('counts space per tempo epoch against MaxSpace (at least 100 per commitment) and resets it next epoch', () => {
    expect(commitmentSpace([sha(1)])).toBe(100n);
    expect(commitmentSpace([{ tag: 'BigRaw', value: new Uint8Array(300) }])).toBe(300n);
    untilEpochStart();
    // Default MaxSpace 3100: 31 small commitments fit in one epoch, the 32nd does not.
    for (let i = 0; i < 31; i++) expect(errorOf(() => set(m2, [sha(i)]))).toBe('ok');
    expect(errorOf(() => set(m2, [sha(99)]))).toBe('Commitments.SpaceLimitExceeded');
    // The failed call changed nothing.
    expect(chain.rt.state.get<Registration>(`${C}.CommitmentOf`, NETUID, m2).info.fields).toEqual([sha(30)]);
    const used = chain.rt.state.get<{ used_space: bigint }>(`${C}.UsedSpaceOf`, NETUID, m2);
    expect(used.used_space).toBe(3100n);
    untilEpochStart();
    expect(errorOf(() => set(m2, [sha(99)]))).toBe('ok');
  });

  it('lets root change MaxSpace (set_max_space) and refuses a signed origin', () => {
    const call = { tag: C, value: { tag: 'set_max_space', value: { new_limit: 250 } } };
    expect(errorOf(() => chain.rt.dispatch({ kind: 'signed', who: m1 }, call))).toBe('BadOrigin');
    chain.rt.dispatch({ kind: 'root' }, call);
    untilEpochStart();
    expect(errorOf(() => set(m1, [sha(1)]))).toBe('ok');
    expect(errorOf(() => set(m1, [sha(2)]))).toBe('ok');
    expect(errorOf(() => set(m1, [sha(3)]))).toBe('Commitments.SpaceLimitExceeded');
    chain.rt.dispatch(
      { kind: 'root' },
      { tag: C, value: { tag: 'set_max_space', value: { new_limit: 3100 } } },
    );
  });

  it('reveals a timelocked field once its drand pulse is stored, keeping the plain fields', () => {
    untilEpochStart();
    const cfg = chain.rt.state.get<BeaconConfiguration>('Drand.BeaconConfig');
    const round = chain.rt.state.get<bigint>('Drand.LastStoredRound') + 5n;
    const secret = new TextEncoder().encode('model sha256 deadbeef');
    set(m1, [
      sha(7),
      {
        tag: 'TimelockEncrypted',
        value: { encrypted: timelockEncrypt(secret, round, cfg.public_key), reveal_round: round },
      },
    ]);
    expect(chain.rt.state.get<unknown[]>(`${C}.TimelockedIndex`).length).toBe(1);
    chain.produceBlock(); // no pulse yet
    expect(chain.rt.state.get(`${C}.RevealedCommitments`, NETUID, m1)).toBeNull();
    clockMs += 10_000;
    chain.produceBlock(); // the pulse is stored
    chain.produceBlock(); // and the commitment revealed
    const revealed = chain.rt.state.get<[Uint8Array, bigint][]>(`${C}.RevealedCommitments`, NETUID, m1);
    expect(revealed.map(([b]) => new TextDecoder().decode(b))).toEqual(['model sha256 deadbeef']);
    expect(chain.rt.state.get<Registration>(`${C}.CommitmentOf`, NETUID, m1).info.fields).toEqual([sha(7)]);
    expect(chain.rt.state.get<unknown[]>(`${C}.TimelockedIndex`)).toEqual([]);
  });
});
