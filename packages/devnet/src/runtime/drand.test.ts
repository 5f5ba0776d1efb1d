import { encodeWeightsTlockPayload, timelockEncrypt, verifyBeaconSignature } from '@subnetkit/core';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../chain.js';
import { buildGenesis, resolveAccount } from '../genesis.js';
import type { BeaconConfiguration } from './drand.js';
import { DispatchError } from './errors.js';

const S = 'SubtensorModule';
const NETUID = 1;
const TEMPO = 4;

describe('devnet drand beacon and timelocked commits', () => {
  let chain: Chain;
  let clockMs = 0;
  let v1: Uint8Array;
  let v2: Uint8Array;

  beforeAll(async () => {
    await cryptoWaitReady();
    chain = new Chain({ strictServeAxon: false });
    clockMs = 1_700_000_000_000;
    chain.drand.clock = () => clockMs;
    const hp = { tempo: TEMPO, commitRevealWeightsEnabled: true, revealPeriodEpochs: 1, weightsRateLimit: 0 };
    buildGenesis(chain, {
      drandPeriod: 1,
      subnets: [
        {
          netuid: NETUID,
          owner: 'alice',
          hyperparameters: hp,
          neurons: [
            { hotkey: '//V1', coldkey: 'bob', stake: 1000 },
            { hotkey: '//V2', coldkey: 'bob', stake: 1000 },
            { hotkey: '//M1', coldkey: 'charlie' },
          ],
        },
        {
          netuid: 2,
          owner: 'alice',
          hyperparameters: { tempo: TEMPO },
          neurons: [{ hotkey: '//V1', coldkey: 'bob' }],
        },
      ],
    });
    v1 = resolveAccount('//V1');
    v2 = resolveAccount('//V2');
  });

  const cfg = () => chain.rt.state.get<BeaconConfiguration>('Drand.BeaconConfig');
  // Calls dispatched between blocks run at the best block's number.
  const epoch = () => chain.sub.epochIndex(NETUID, chain.rt.blockNumber);
  const commit = (who: Uint8Array, netuid: number, ciphertext: Uint8Array, round: bigint, version = 4) =>
    chain.rt.dispatch(
      { kind: 'signed', who },
      {
        tag: S,
        value: {
          tag: 'commit_timelocked_weights',
          value: { netuid, commit: ciphertext, reveal_round: round, commit_reveal_version: version },
        },
      },
    );
  const errorOf = (f: () => void): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof DispatchError) {
        const v = e.value as { tag: string };
        return v.tag === 'Module' ? e.message : v.tag;
      }
      throw e;
    }
    return 'ok';
  };
  const weightsOf = (uid: number) => chain.rt.state.get<unknown[]>(`${S}.Weights`, NETUID, uid);
  const commitsAt = (e: number) =>
    chain.rt.state.get<unknown[]>(`${S}.TimelockedWeightCommits`, NETUID, BigInt(e));
  const encrypt = (hotkey: Uint8Array, values: number[], round: bigint) =>
    timelockEncrypt(
      encodeWeightsTlockPayload({ hotkey, uids: [0, 1, 2], values, versionKey: 0n }),
      round,
      cfg().public_key,
    );
  const untilEpochStart = () => {
    while ((chain.bestNumber() + NETUID + 1) % (TEMPO + 1) !== 0) chain.produceBlock();
  };

  it('keeps its own beacon in Drand.BeaconConfig and stores verifiable pulses per period', () => {
    const c = cfg();
    expect(c.period).toBe(1);
    expect(c.genesis_time).toBe(1_700_000_000);
    expect(new TextDecoder().decode(c.scheme_id)).toBe('bls-unchained-g1-rfc9380');
    clockMs += 4_000;
    chain.produceBlock();
    expect(chain.rt.state.get<bigint>('Drand.LastStoredRound')).toBe(5n);
    const pulse = chain.rt.state.get<{ round: bigint; signature: Uint8Array }>('Drand.Pulses', 5n);
    expect(pulse.round).toBe(5n);
    expect(verifyBeaconSignature(c.public_key, 5n, pulse.signature)).toBe(true);
    expect(chain.rt.events.map((e) => e.event.tag)).toContain('Drand');
  });

  it('refuses commits as subtensor does', () => {
    const ct = new Uint8Array([1, 2, 3]);
    expect(errorOf(() => commit(v1, NETUID, ct, 10n, 3))).toMatch(/IncorrectCommitRevealVersion/);
    expect(errorOf(() => commit(v1, 2, ct, 10n))).toMatch(/CommitRevealDisabled/);
    expect(errorOf(() => commit(resolveAccount('//Nobody'), NETUID, ct, 10n))).toMatch(
      /HotKeyNotRegisteredInSubNet/,
    );
    untilEpochStart();
    const e = epoch();
    for (let i = 0; i < 10; i++) expect(errorOf(() => commit(v1, NETUID, ct, 10n))).toBe('ok');
    expect(errorOf(() => commit(v1, NETUID, ct, 10n))).toMatch(/TooManyUnrevealedCommits/);
    expect(commitsAt(e).length).toBe(10);
    // Undecryptable commits are dropped at the reveal epoch; earlier epochs are pruned.
    while (epoch() <= e + 1) chain.produceBlock();
    expect(commitsAt(e).length).toBe(0);
  });

  it('reveals at the reveal epoch once the pulse exists, drops a foreign hotkey, retries a missing pulse', () => {
    untilEpochStart();
    const e = epoch();
    const latest = chain.rt.state.get<bigint>('Drand.LastStoredRound');
    const round = latest + 20n; // not produced until the clock moves on
    commit(v1, NETUID, encrypt(v1, [65535, 0, 100], round), round);
    commit(v2, NETUID, encrypt(v1, [1, 65535, 0], round), round); // payload names v1, committed by v2
    expect(commitsAt(e).length).toBe(2);
    // Reach the reveal epoch without the pulse: nothing is applied, the commits wait.
    while (epoch() < e + 1) chain.produceBlock();
    expect(commitsAt(e).length).toBe(2);
    expect(weightsOf(0)).toEqual([]);
    // The pulse arrives within the reveal epoch: v1's weights are applied, v2's (foreign hotkey) dropped.
    clockMs += 25_000;
    chain.produceBlock();
    expect(commitsAt(e).length).toBe(0);
    const v1uid = chain.sub.uidOf(NETUID, v1)!;
    const v2uid = chain.sub.uidOf(NETUID, v2)!;
    expect((weightsOf(v1uid) as unknown[]).length).toBe(3); // zeros are stored too
    expect(weightsOf(v2uid)).toEqual([]);
    expect(
      chain.rt.events.some((x) => (x.event.value as { tag: string }).tag === 'TimelockedWeightsRevealed'),
    ).toBe(true);
  });

  it('drops a commit whose pulse never came during its reveal epoch', () => {
    untilEpochStart();
    const e = epoch();
    const round = chain.rt.state.get<bigint>('Drand.LastStoredRound') + 1000n;
    commit(v2, NETUID, encrypt(v2, [1, 2, 3], round), round);
    while (epoch() <= e + 1) chain.produceBlock();
    chain.produceBlock();
    expect(commitsAt(e).length).toBe(0);
    expect(weightsOf(chain.sub.uidOf(NETUID, v2)!)).toEqual([]);
  });
});
