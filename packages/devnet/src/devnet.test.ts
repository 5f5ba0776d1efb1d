import { u8aToHex } from '@polkadot/util';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from './devnet.js';
import type { DevnetGenesis } from './genesis.js';
import { connect, type DevApi, key, send, sudoError } from './test-helpers.js';

await cryptoWaitReady();
const alice = key('//Alice');
const bob = key('//Bob');
const charlie = key('//Charlie');
const v1 = key('//Alice//v1');
const m1 = key('//Alice//m1');
const m2 = key('//Alice//m2');
const m3 = key('//Alice//m3');
const outsider = key('//Outsider');

const genesis: DevnetGenesis = {
  subnets: [
    {
      netuid: 1,
      owner: 'alice',
      hyperparameters: {
        weightsRateLimit: 0,
        weightsVersionKey: 2,
        minAllowedWeights: 2,
        maxWeightsLimit: 45000,
      },
      neurons: [
        { hotkey: '//Alice//v1', coldkey: '//Alice', stake: 1000, axon: { ip: '10.0.0.1', port: 8091 } },
        { hotkey: '//Alice//m1', coldkey: '//Alice' },
        { hotkey: '//Alice//m2', coldkey: '//Alice' },
        { hotkey: '//Alice//m3', coldkey: '//Alice' },
      ],
    },
    {
      netuid: 2,
      owner: 'alice',
      hyperparameters: { weightsRateLimit: 100 },
      neurons: [
        { hotkey: '//Alice//v1', coldkey: '//Alice', stake: 10 },
        { hotkey: '//Alice//m1', coldkey: '//Alice' },
      ],
    },
    {
      netuid: 3,
      owner: 'alice',
      hyperparameters: { commitRevealWeightsEnabled: true, tempo: 4, weightsRateLimit: 0 },
      neurons: [
        { hotkey: '//Alice//v1', coldkey: '//Alice', stake: 10 },
        { hotkey: '//Alice//m1', coldkey: '//Alice' },
      ],
    },
  ],
};

describe('devnet with an unmodified ApiPromise', () => {
  let dn: Devnet;
  let api: DevApi;

  beforeAll(async () => {
    dn = await startDevnet({ port: 0, blockTime: 'instant', genesis });
    api = await connect(dn.url);
  });

  afterAll(async () => {
    await api?.disconnect();
    await dn?.stop();
  });

  it('connects and reports the chain', async () => {
    expect((await api.rpc.system.chain()).toString()).toBe('subnetkit devnet');
    expect(api.genesisHash.toHex()).toBe(dn.genesisHash);
    expect(api.registry.chainSS58).toBe(42);
    expect(api.registry.chainDecimals[0]).toBe(9);
    expect(api.registry.chainTokens[0]).toBe('TAO');
    expect(api.runtimeVersion.specName.toString()).toBe('node-subtensor');
    expect(api.tx.subtensorModule.setWeights(1, [0], [1], 0).method.toHex()).toBe(
      '0x070001000400000401000000000000000000',
    );
  });

  it('reads genesis storage through api.query', async () => {
    const acc = await api.query.system.account(alice.address);
    expect(acc.data.free.toBigInt()).toBeGreaterThan(0n);
    expect((await api.query.sudo.key()).toString()).toBe(alice.address);
    expect((await api.query.subtensorModule.subnetworkN(1)).toNumber()).toBe(4);
    expect((await api.query.subtensorModule.keys(1, 0)).toString()).toBe(v1.address);
    expect((await api.query.subtensorModule.uids(1, m2.address)).toString()).toBe('2');
    expect((await api.query.subtensorModule.owner(v1.address)).toString()).toBe(alice.address);
    expect((await api.query.subtensorModule.totalHotkeyAlpha(v1.address, 1)).toBigInt()).toBe(
      1000n * 10n ** 9n,
    );
    const axon = (await api.query.subtensorModule.axons(1, v1.address)) as unknown as {
      unwrap(): { ip: { toBigInt(): bigint }; port: { toNumber(): number } };
    };
    expect(axon.unwrap().ip.toBigInt()).toBe(0x0a000001n);
    expect(axon.unwrap().port.toNumber()).toBe(8091);
    expect(
      (await api.query.subtensorModule.validatorPermit(1)).map((b: { isTrue: boolean }) => b.isTrue),
    ).toEqual([true, false, false, false]);
    expect((await api.query.subtensorModule.weightsVersionKey(1)).toNumber()).toBe(2);
    // ValueQuery default from the metadata fallback for an unset subnet.
    expect((await api.query.subtensorModule.tempo(77)).toNumber()).toBe(10);
    const keys = await api.query.subtensorModule.keys.entries(1);
    expect(keys.length).toBe(4);
    const multi = await api.query.subtensorModule.subnetworkN.multi([1, 2, 3]);
    expect(multi.map((x: { toNumber(): number }) => x.toNumber())).toEqual([4, 2, 2]);
  });

  it('transfers balance, emits events and follows new heads', async () => {
    const before = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    const heads: number[] = [];
    const unsub = await api.rpc.chain.subscribeNewHeads((h: { number: { toNumber(): number } }) =>
      heads.push(h.number.toNumber()),
    );
    const r = await send(api, api.tx.balances.transferKeepAlive(charlie.address, 5n * 10n ** 9n), bob);
    expect(r.ok).toBe(true);
    expect(r.events).toEqual(['balances.Transfer', 'system.ExtrinsicSuccess']);
    expect((await api.query.system.account(charlie.address)).data.free.toBigInt()).toBe(
      before + 5n * 10n ** 9n,
    );
    expect((await api.query.system.account(bob.address)).nonce.toNumber()).toBe(1);
    unsub();
    expect(heads.length).toBeGreaterThan(0);
    const failed = await send(
      api,
      api.tx.balances.transferKeepAlive(charlie.address, 10n ** 18n),
      outsider,
    ).catch((e: Error) => e);
    expect(String(failed)).toMatch(/1010.*Inability to pay some fees/);
  });

  it('accepts ed25519 signers and pushes storage changes to subscribers', async () => {
    const ed = new Keyring({ type: 'ed25519' }).addFromUri('//EdUser');
    const seen: bigint[] = [];
    const unsub = await api.query.system.account(
      ed.address,
      (a: { data: { free: { toBigInt(): bigint } } }) => seen.push(a.data.free.toBigInt()),
    );
    expect((await send(api, api.tx.balances.transferKeepAlive(ed.address, 3n * 10n ** 9n), charlie)).ok).toBe(
      true,
    );
    const back = await send(api, api.tx.balances.transferKeepAlive(charlie.address, 10n ** 9n), ed);
    expect(back.ok).toBe(true);
    expect((await api.query.system.account(ed.address)).data.free.toBigInt()).toBe(2n * 10n ** 9n);
    await new Promise((r) => setTimeout(r, 50));
    unsub();
    expect(seen[0]).toBe(0n);
    expect(seen).toContain(3n * 10n ** 9n);
  });

  it('watches an extrinsic through ready, inBlock and finalized', async () => {
    const statuses: string[] = [];
    await new Promise<void>((resolve, reject) => {
      api.tx.system
        .remark('0x1234')
        .signAndSend(charlie, (r: { status: { type: string; isFinalized: boolean } }) => {
          statuses.push(r.status.type);
          if (r.status.isFinalized) resolve();
        })
        .catch(reject);
    });
    expect(statuses).toEqual(['Ready', 'InBlock', 'Finalized']);
  });

  it('runs AdminUtils setters through Sudo.sudo and rejects non-sudo callers', async () => {
    const r = await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetTempo(2, 20)), alice);
    expect(r.ok).toBe(true);
    expect(sudoError(api, r)).toBeNull();
    expect(r.events).toContain('subtensorModule.TempoSet');
    expect((await api.query.subtensorModule.tempo(2)).toNumber()).toBe(20);
    const missing = await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetTempo(99, 20)), alice);
    expect(sudoError(api, missing)).toBe('adminUtils.SubnetDoesNotExist');
    const notSudo = await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetTempo(2, 30)), bob);
    expect(notSudo.error).toBe('sudo.RequireSudo');
    const direct = await send(api, api.tx.adminUtils.sudoSetTempo(2, 30), bob);
    expect(direct.error).toBe('BadOrigin');
    // Owner-or-root setter signed by the subnet owner directly.
    const owner = await send(api, api.tx.adminUtils.sudoSetServingRateLimit(1, 0), alice);
    expect(owner.ok).toBe(true);
    expect(owner.events).toContain('subtensorModule.ServingRateLimitSet');
  });

  it('registers a network and burned-registers neurons', async () => {
    const ownerHot = key('//Bob//owner');
    const reg = await send(api, api.tx.subtensorModule.registerNetwork(ownerHot.address), bob);
    expect(reg.ok).toBe(true);
    expect(reg.events).toContain('subtensorModule.NetworkAdded');
    expect(reg.events).toContain('subtensorModule.NeuronRegistered');
    const netuid = 4;
    expect((await api.query.subtensorModule.networksAdded(netuid)).isTrue).toBe(true);
    expect((await api.query.subtensorModule.subnetOwner(netuid)).toString()).toBe(bob.address);
    expect((await api.query.subtensorModule.subnetOwnerHotkey(netuid)).toString()).toBe(ownerHot.address);
    expect((await api.query.subtensorModule.keys(netuid, 0)).toString()).toBe(ownerHot.address);
    expect((await api.query.subtensorModule.commitRevealWeightsEnabled(netuid)).isTrue).toBe(false);

    const before = (await api.query.system.account(charlie.address)).data.free.toBigInt();
    const burn = (await api.query.subtensorModule.burn(netuid)).toBigInt();
    const hot = key('//Charlie//hot1');
    const r = await send(api, api.tx.subtensorModule.burnedRegister(netuid, hot.address), charlie);
    expect(r.ok).toBe(true);
    expect(r.events).toContain('subtensorModule.NeuronRegistered');
    expect((await api.query.subtensorModule.uids(netuid, hot.address)).toString()).toBe('1');
    expect((await api.query.system.account(charlie.address)).data.free.toBigInt()).toBe(before - burn);
    const again = await send(api, api.tx.subtensorModule.burnedRegister(netuid, hot.address), charlie);
    expect(again.error).toBe('subtensorModule.HotKeyAlreadyRegisteredInSubNet');
    const stolen = await send(api, api.tx.subtensorModule.burnedRegister(1, hot.address), bob);
    expect(stolen.error).toBe('subtensorModule.NonAssociatedColdKey');
    const root = await send(api, api.tx.subtensorModule.burnedRegister(0, key('//x').address), bob);
    expect(root.error).toBe('subtensorModule.RegistrationNotPermittedOnRootSubnet');
    const none = await send(api, api.tx.subtensorModule.burnedRegister(999, key('//x').address), bob);
    expect(none.error).toBe('subtensorModule.SubnetNotExists');
  });

  it('replaces the pruning candidate outside its immunity period when the subnet is full', async () => {
    const netuid = 4;
    for (const call of [
      api.tx.adminUtils.sudoSetImmunityPeriod(netuid, 0),
      api.tx.adminUtils.sudoSetMinAllowedUids(netuid, 1),
      api.tx.adminUtils.sudoSetMaxAllowedUids(netuid, 2),
    ])
      expect(sudoError(api, await send(api, api.tx.sudo.sudo(call), alice))).toBeNull();
    const newHot = key('//Charlie//hot2');
    const r = await send(api, api.tx.subtensorModule.burnedRegister(netuid, newHot.address), charlie);
    expect(r.ok).toBe(true);
    // uid 0 is the owner hotkey (never pruned): uid 1 is replaced.
    expect((await api.query.subtensorModule.subnetworkN(netuid)).toNumber()).toBe(2);
    expect((await api.query.subtensorModule.keys(netuid, 1)).toString()).toBe(newHot.address);
    expect((await api.query.subtensorModule.uids(netuid, key('//Charlie//hot1').address)).isNone).toBe(true);
    await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetImmunityPeriod(netuid, 5000)), alice);
    const full = await send(
      api,
      api.tx.subtensorModule.burnedRegister(netuid, key('//Charlie//hot3').address),
      charlie,
    );
    expect(full.error).toBe('subtensorModule.NoNeuronIdAvailable');
  });

  it('serves an axon with subtensor checks (loopback allowed by default)', async () => {
    const serve = (netuid: number, ip: bigint, port: number, ipType = 4) =>
      api.tx.subtensorModule.serveAxon(netuid, 1, ip, port, ipType, 4, 0, 0);
    const ok = await send(api, serve(1, 0x7f000001n, 8091), m1);
    expect(ok.ok).toBe(true);
    expect(ok.events).toContain('subtensorModule.AxonServed');
    const axon = (await api.query.subtensorModule.axons(1, m1.address)).toJSON() as Record<string, unknown>;
    expect(axon.port).toBe(8091);
    expect(axon.ipType).toBe(4);
    // Like subtensor's SubtensorTransactionExtension, serving checks run in the pool: 1010 with a custom code.
    const refused = (tx: unknown, signer = m1) =>
      send(api, tx as never, signer).then(() => 'accepted', String);
    expect(await refused(serve(1, 1n, 8091, 5))).toMatch(/1010: Invalid Transaction: Custom error: 255/);
    expect(await refused(serve(1, 0xffffffffn, 8091))).toMatch(/Custom error: 11/);
    expect(await refused(serve(1, 0x0a000002n, 0))).toMatch(/Custom error: 13/);
    expect(await refused(serve(1, 0x0a000002n, 1), outsider)).toMatch(/Custom error: 10/);
    // netuid 2 keeps the default ServingRateLimit (50 blocks).
    expect((await send(api, serve(2, 0x0a000002n, 9000), m1)).ok).toBe(true);
    expect(await refused(serve(2, 0x0a000002n, 9001))).toMatch(/Custom error: 12/);
  });

  it('sets weights and stores them max-upscaled', async () => {
    const r = await send(api, api.tx.subtensorModule.setWeights(1, [1, 2, 3], [100, 50, 50], 2), v1);
    expect(r.ok).toBe(true);
    expect(r.events).toContain('subtensorModule.WeightsSet');
    const w = (await api.query.subtensorModule.weights(1, 0)).map(([d, x]: { toNumber(): number }[]) => [
      d!.toNumber(),
      x!.toNumber(),
    ]);
    expect(w).toEqual([
      [1, 65535],
      [2, 32768],
      [3, 32768],
    ]);
    const last = await api.query.subtensorModule.lastUpdate(1);
    const st = r.result.status;
    const header = await api.rpc.chain.getHeader(st.isInBlock ? st.asInBlock : st.asFinalized);
    expect(last[0]!.toNumber()).toBe(header.number.toNumber());
    // set_mechanism_weights with mecid 0 is the same call path (what SDK 10.x sends).
    const mech = await send(api, api.tx.subtensorModule.setMechanismWeights(1, 0, [1, 2], [1, 1], 2), v1);
    expect(mech.ok).toBe(true);
  });

  it('refuses bad weights with subtensor error names', async () => {
    const sw = (netuid: number, dests: number[], weights: number[], version = 2) =>
      api.tx.subtensorModule.setWeights(netuid, dests, weights, version);
    // The root network keeps commit-reveal on by default; turn it off to reach the root check.
    const cr = api.tx.adminUtils.sudoSetCommitRevealWeightsEnabled(0, false);
    expect(sudoError(api, await send(api, api.tx.sudo.sudo(cr), alice))).toBeNull();
    const cases: [ReturnType<typeof sw>, typeof v1, string][] = [
      [sw(0, [0], [1]), v1, 'CanNotSetRootNetworkWeights'],
      [sw(1, [1, 2], [1]), v1, 'WeightVecNotEqualSize'],
      [api.tx.subtensorModule.setMechanismWeights(1, 1, [1, 2], [1, 1], 2), v1, 'MechanismDoesNotExist'],
      [sw(1, [0, 1, 2, 3, 0], [1, 1, 1, 1, 1]), v1, 'UidsLengthExceedUidsInSubNet'],
      [sw(1, [1, 2], [1, 1]), outsider, 'HotKeyNotRegisteredInSubNet'],
      [sw(1, [1, 2], [1, 1], 1), v1, 'IncorrectWeightVersionKey'],
      [sw(1, [0, 2], [1, 1]), m1, 'NeuronNoValidatorPermit'],
      [sw(1, [1, 1], [1, 1]), v1, 'DuplicateUids'],
      [sw(1, [1, 7], [1, 1]), v1, 'UidVecContainInvalidOne'],
      [sw(1, [1], [1]), v1, 'WeightVecLengthIsLow'],
      [sw(1, [1, 2], [65535, 1]), v1, 'MaxWeightExceeded'],
      [sw(3, [1], [1], 0), v1, 'CommitRevealEnabled'],
    ];
    for (const [tx, signer, name] of cases) {
      const r = await send(api, tx, signer);
      expect(r.error, name).toBe(`subtensorModule.${name}`);
      expect(r.events).toContain('system.ExtrinsicFailed');
    }
    // Self-weight needs no permit and skips the length check.
    expect((await send(api, sw(1, [1], [1]), m1)).ok).toBe(true);
    // Rate limit on netuid 2 (100 blocks): the first set passes, the second is too fast.
    expect((await send(api, sw(2, [0, 1], [1, 1], 0), v1)).ok).toBe(true);
    expect((await send(api, sw(2, [0, 1], [1, 1], 0), v1)).error).toBe(
      'subtensorModule.SettingWeightsTooFast',
    );
    // Stake threshold above the validator's stake: refused in the pool (StakeAmountTooLow = custom error 1),
    // as subtensor's transaction extension does; the owner hotkey would be exempt.
    await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetStakeThreshold(10n ** 15n)), alice);
    const low = await send(api, sw(1, [1, 2], [1, 1]), v1).then(() => 'accepted', String);
    expect(low).toMatch(/1010: Invalid Transaction: Custom error: 1$/);
    await send(api, api.tx.sudo.sudo(api.tx.adminUtils.sudoSetStakeThreshold(0)), alice);
  });

  it('commits and reveals weights within the reveal window', async () => {
    const uids = [0, 1];
    const values = [65535, 100];
    const salt = [1, 2, 3, 4, 5, 6, 7, 8];
    const hash = commitHash(v1.publicKey, 3, uids, values, salt, 0n);
    // Commit in the first block of an epoch (legacy schedule, netuid 3, tempo 4) so the reveal window is
    // a whole epoch away.
    while ((dn.bestNumber() + 1 + 3 + 1) % (4 + 1) !== 0) dn.produceBlock();
    const c = await send(api, api.tx.subtensorModule.commitWeights(3, hash), v1);
    expect(c.ok).toBe(true);
    expect(c.events).toContain('subtensorModule.WeightsCommitted');
    const commits = (await api.query.subtensorModule.weightCommits(3, v1.address)).toJSON() as unknown[][];
    expect(commits.length).toBe(1);
    const early = await send(api, api.tx.subtensorModule.revealWeights(3, uids, values, salt, 0), v1);
    expect(early.error).toBe('subtensorModule.RevealTooEarly');
    const wrong = await send(api, api.tx.subtensorModule.revealWeights(3, uids, [1, 1], salt, 0), v1);
    expect(wrong.error).toBe('subtensorModule.InvalidRevealCommitHashNotMatch');
    const firstReveal = Number((commits[0] as number[])[2]);
    while (dn.bestNumber() + 1 < firstReveal) dn.produceBlock();
    const rv = await send(api, api.tx.subtensorModule.revealWeights(3, uids, values, salt, 0), v1);
    expect(rv.ok).toBe(true);
    expect(rv.events).toContain('subtensorModule.WeightsRevealed');
    expect(rv.events).toContain('subtensorModule.WeightsSet');
    expect((await api.query.subtensorModule.weights(3, 0)).length).toBe(2);
    expect((await api.query.subtensorModule.weightCommits(3, v1.address)).isNone).toBe(true);
    const none = await send(api, api.tx.subtensorModule.revealWeights(3, uids, values, salt, 0), v1);
    expect(none.error).toBe('subtensorModule.NoWeightsCommitFound');
    const off = await send(api, api.tx.subtensorModule.commitWeights(1, hash), v1);
    expect(off.error).toBe('subtensorModule.CommitRevealDisabled');
  });

  it('adds and removes stake in TotalHotkeyAlpha / Alpha / TotalHotkeyShares', async () => {
    const netuid = 1;
    const hot = m2.address;
    const amount = 50n * 10n ** 9n;
    const free0 = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const add = await send(api, api.tx.subtensorModule.addStake(hot, netuid, amount), bob);
    expect(add.ok).toBe(true);
    expect(add.events).toContain('subtensorModule.StakeAdded');
    expect((await api.query.subtensorModule.totalHotkeyAlpha(hot, netuid)).toBigInt()).toBe(amount);
    const shares = (await api.query.subtensorModule.alpha(hot, bob.address, netuid)).toJSON() as {
      bits: string;
    };
    expect(BigInt(shares.bits)).toBe(amount << 64n);
    expect((await api.query.system.account(bob.address)).data.free.toBigInt()).toBe(free0 - amount);
    const rm = await send(api, api.tx.subtensorModule.removeStake(hot, netuid, amount / 2n), bob);
    expect(rm.ok).toBe(true);
    expect(rm.events).toContain('subtensorModule.StakeRemoved');
    expect((await api.query.subtensorModule.totalHotkeyAlpha(hot, netuid)).toBigInt()).toBe(amount / 2n);
    const tooMuch = await send(api, api.tx.subtensorModule.removeStake(hot, netuid, amount), bob);
    expect(tooMuch.error).toBe('subtensorModule.NotEnoughStakeToWithdraw');
    const low = await send(api, api.tx.subtensorModule.addStake(hot, netuid, 1000), bob);
    expect(low.error).toBe('subtensorModule.AmountTooLow');
    const noHot = await send(
      api,
      api.tx.subtensorModule.addStake(key('//nobody').address, netuid, amount),
      bob,
    );
    expect(noHot.error).toBe('subtensorModule.HotKeyAccountNotExists');
  });

  it('grants a validator permit to a newly staked hotkey at the next tempo boundary', async () => {
    const netuid = 1;
    // m3 has no stake and no permit yet.
    expect((await api.query.subtensorModule.validatorPermit(netuid))[3]!.isTrue).toBe(false);
    expect((await send(api, api.tx.subtensorModule.setWeights(netuid, [0, 1], [1, 1], 2), m3)).error).toBe(
      'subtensorModule.NeuronNoValidatorPermit',
    );
    await send(api, api.tx.subtensorModule.addStake(m3.address, netuid, 10n ** 9n), bob);
    const tempo = (await api.query.subtensorModule.tempo(netuid)).toNumber();
    dn.produceBlocks(tempo + 1);
    const permits = (await api.query.subtensorModule.validatorPermit(netuid)).map(
      (b: { isTrue: boolean }) => b.isTrue,
    );
    expect(permits).toEqual([true, false, true, true]);
    expect((await send(api, api.tx.subtensorModule.setWeights(netuid, [0, 1], [1, 1], 2), m3)).ok).toBe(true);
  });

  it("runs each epoch in the block subtensor's should_run_epoch names (blocks_until_next_epoch == 0)", async () => {
    const netuid = 1;
    const tempo = (await api.query.subtensorModule.tempo(netuid)).toNumber();
    const before = (await api.query.subtensorModule.subnetEpochIndex(netuid)).toBigInt();
    const ran: number[] = [];
    for (let i = 0; i < 2 * (tempo + 1); i++) {
      dn.produceBlocks(1);
      const head = (await api.rpc.chain.getHeader()).number.toNumber();
      const last = (await api.query.subtensorModule.lastEpochBlock(netuid)).toNumber();
      if (last === head) ran.push(head);
    }
    expect(ran).toHaveLength(2);
    for (const b of ran) expect((b + netuid + 1) % (tempo + 1)).toBe(tempo);
    expect(ran[1]! - ran[0]!).toBe(tempo + 1);
    expect((await api.query.subtensorModule.subnetEpochIndex(netuid)).toBigInt()).toBe(before + 2n);
  });

  it('refuses a bad signature with 1010', async () => {
    const tx = await api.tx.system.remark('0x01').signAsync(charlie);
    const bytes = tx.toU8a();
    // The signature follows the signer's public key and the sr25519 type byte (1).
    const sigOffset = Buffer.from(bytes).indexOf(Buffer.from(charlie.publicKey)) + 33;
    expect(bytes[sigOffset - 1]).toBe(1);
    bytes[sigOffset + 10]! ^= 0xff;
    await expect(api.rpc.author.submitExtrinsic(u8aToHex(bytes))).rejects.toThrow(
      /1010: Invalid Transaction: Transaction has a bad signature/,
    );
    // An outdated nonce.
    const stale = await api.tx.system.remark('0x02').signAsync(charlie, { nonce: 0 });
    await expect(api.rpc.author.submitExtrinsic(stale.toHex())).rejects.toThrow(/1010.*outdated/);
  });

  it('answers JSON-RPC errors over HTTP and never crashes', async () => {
    const post = async (body: string) => {
      const res = await fetch(dn.httpUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      return (await res.json()) as { error?: { code: number }; result?: unknown };
    };
    expect((await post('{"jsonrpc":"2.0","id":1,"method":"foo_bar","params":[]}')).error?.code).toBe(-32601);
    expect((await post('{bad json')).error?.code).toBe(-32700);
    expect(
      (await post('{"jsonrpc":"2.0","id":1,"method":"chain_getBlockHash","params":["x"]}')).error?.code,
    ).toBe(-32602);
    expect(
      (await post('{"jsonrpc":"2.0","id":1,"method":"state_getStorage","params":[5]}')).error?.code,
    ).toBe(-32602);
    expect(
      (await post('{"jsonrpc":"2.0","id":1,"method":"author_submitExtrinsic","params":["0x0102"]}')).error
        ?.code,
    ).toBe(1002);
    expect((await post('[]')).error?.code).toBe(-32600);
    const ok = await post('{"jsonrpc":"2.0","id":7,"method":"chain_getHeader","params":[]}');
    expect(ok.result).toBeTruthy();
    expect((await api.rpc.system.health()).isSyncing.isFalse).toBe(true);
  });

  it('serves subtensor runtime APIs through state_call (NeuronInfoRuntimeApi)', async () => {
    const lite = await api.call.neuronInfoRuntimeApi.getNeuronsLite(1);
    expect(lite.length).toBe(4);
    const v = lite[0].toJSON() as Record<string, unknown>;
    expect(v.hotkey).toBe(v1.address);
    expect(v.coldkey).toBe(alice.address);
    expect(v.validatorPermit).toBe(true);
    expect((v.axonInfo as { port: number }).port).toBe(8091);
    // Genesis staked 1000 TAO; epochs since then paid dividends into the same stake.
    const staked = (await api.query.subtensorModule.totalHotkeyAlpha(v1.address, 1)).toBigInt();
    expect(staked >= 1000n * 10n ** 9n).toBe(true);
    expect(BigInt((v.stake as [string, number][])[0]![1])).toBe(staked);
    const one = await api.call.neuronInfoRuntimeApi.getNeuron(1, 0);
    expect(one.isSome).toBe(true);
    expect(one.unwrap().weights.length).toBeGreaterThan(0);
    expect((await api.call.neuronInfoRuntimeApi.getNeuronLite(1, 99)).isNone).toBe(true);
    const cost = await api.call.subnetRegistrationRuntimeApi.getNetworkRegistrationCost();
    expect(cost.toBigInt()).toBe(1000n * 10n ** 9n);
  });

  it('serves queries at older blocks', async () => {
    const h0 = await api.rpc.chain.getBlockHash(0);
    const at = await api.at(h0);
    expect((await at.query.system.account(charlie.address)).nonce.toNumber()).toBe(0);
    expect((await api.query.system.account(charlie.address)).nonce.toNumber()).toBeGreaterThan(0);
    const block = await api.rpc.chain.getBlock();
    expect(block.block.extrinsics.length).toBeGreaterThanOrEqual(1);
    expect(block.block.extrinsics[0]!.method.section).toBe('timestamp');
  });

  it('answers fee queries, batched storage reads, paged keys and every head subscription', async () => {
    const info = await api.tx.balances.transferKeepAlive(bob.address, 1n).paymentInfo(alice);
    expect(info.partialFee.toBigInt()).toBeGreaterThanOrEqual(0n);
    expect(info.weight.refTime.toBigInt()).toBeGreaterThan(0n);

    const keys = [
      api.query.subtensorModule.subnetworkN.key(1),
      api.query.subtensorModule.tempo.key(1),
      api.query.system.account.key(alice.address),
    ];
    // polkadot-js returns one raw value per key, in key order.
    const values = await api.rpc.state.queryStorageAt(keys);
    expect(values.length).toBe(3);
    expect(api.createType('u16', values[0]!.toU8a(true)).toNumber()).toBe(4); // SubnetworkN[1]
    expect(api.createType('u16', values[1]!.toU8a(true)).toNumber()).toBeGreaterThan(0); // Tempo[1]

    const page = await api.rpc.state.getKeysPaged(api.query.subtensorModule.keys.keyPrefix(1), 2);
    expect(page.length).toBe(2);
    const rest = await api.rpc.state.getKeysPaged(api.query.subtensorModule.keys.keyPrefix(1), 10, page[1]);
    expect(rest.length).toBe(2); // netuid 1 has four uids

    const seen = { all: 0, finalized: 0 };
    const unsubAll = await api.rpc.chain.subscribeAllHeads(() => {
      seen.all++;
    });
    const unsubFinal = await api.rpc.chain.subscribeFinalizedHeads(() => {
      seen.finalized++;
    });
    dn.produceBlock();
    const deadline = Date.now() + 10_000;
    while ((seen.all < 2 || seen.finalized < 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    unsubAll();
    unsubFinal();
    expect(seen.all).toBeGreaterThanOrEqual(2); // the current head on subscribe, then the new block
    expect(seen.finalized).toBeGreaterThanOrEqual(2);
  });
});

function commitHash(
  hotkey: Uint8Array,
  netuid: number,
  uids: number[],
  values: number[],
  salt: number[],
  versionKey: bigint,
): Uint8Array {
  const parts: number[] = [...hotkey, netuid & 0xff, netuid >> 8];
  for (const v of [uids, values, salt]) {
    parts.push(v.length << 2);
    for (const x of v) parts.push(x & 0xff, x >> 8);
  }
  for (let i = 0n; i < 8n; i++) parts.push(Number((versionKey >> (8n * i)) & 0xffn));
  return blake2AsU8a(new Uint8Array(parts), 256);
}
