import { describe, expect, it } from 'vitest';
import {
  beaconKeyPairFromSeed,
  beaconSign,
  computeRevealRound,
  currentBeaconRound,
  decodeWeightsTlockPayload,
  encodeWeightsTlockPayload,
  parseTimelockCiphertext,
  TimelockDecryptError,
  timelockDecrypt,
  timelockEncrypt,
  verifyBeaconSignature,
} from './index.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// drand quicknet: public key and the real signature of round 1000, as hard-coded in subtensor
// pallets/subtensor/src/tests/weights.rs (CRv3 tests) and ideal-lab5/timelock tle/src/tlock.rs
// (`tlock_encrypt_decrypt_drand_quicknet_works`).
const QUICKNET_PK = hex(
  '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a',
);
const ROUND_1000_SIG = hex(
  'b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39',
);
const QUICKNET_GENESIS = 1692803367;
const ALICE = hex('d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d');

// SCALE of WeightsTlockPayload { hotkey: Vec<u8>, uids: Vec<u16>, values: Vec<u16>, version_key: u64 }
// (subtensor pallets/subtensor/src/coinbase/reveal_commits.rs; bittensor-drand src/drand.rs), worked out
// by parity-scale-codec's rules: compact(32)=0x80 ‖ 32 key bytes ‖ compact(2)=0x08 ‖ 0000 0100 ‖ 0x08 ‖
// ffff 0080 ‖ u64 LE 0.
const ALICE_PAYLOAD =
  '80d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d080000010008ffff00800000000000000000';

// A ciphertext of ALICE_PAYLOAD to quicknet round 1000, produced by the arkworks `tle` implementation
// (ideal-lab5/timelock's wasm build, @ideallabs/timelock_wasm_wrapper 0.2.0-dev, `tle(id, msg, sk, pk)` with
// sk = [9; 32]); the chain opens it with the same `tld` code subtensor runs.
const ARK_CIPHERTEXT =
  '8c507f1d8f6d1666279028c3ae81e4aa84391b988df44970221f3a5d4ffe35290ec3c1ebdace5054b506ce54b63e039e15603740fe9c9d59fc106e08ab33df88112b0b40d56fe23883d635a1cbb1f276c8fcfc675d8b5364bf11306b68507e682000000000000000f6d248488e8fdc0b7c79f882c793977e61d03e4952eeb8494c0fc00aa0309d4520000000000000008f8bfd955173a9091c112f70b301ab1fcb8d512c4f48a24febd94f2010a4c7f05f0000000000000043000000000000006dc0924b2bf5bcbec8c0d66f9cd8dc066fb948c8137e45e820fa932f8316118cc428a2da7557896617fc7c75a2e0798ce258a0b55dcf9f1a309fe7dce8ab6df408da560c00000000000000faf8116b2d5a33e4c66c040c08000000000000004145535f47434d5f';

describe('WeightsTlockPayload', () => {
  it('encodes as subtensor and bittensor-drand do', () => {
    const p = { hotkey: ALICE, uids: [0, 1], values: [65535, 32768], versionKey: 0n };
    expect(toHex(encodeWeightsTlockPayload(p))).toBe(ALICE_PAYLOAD);
    expect(decodeWeightsTlockPayload(hex(ALICE_PAYLOAD))).toEqual(p);
  });
  it('encodes the bittensor-drand test inputs (hotkey [1,2,3], uids [1,2,3], values [10,20,30], version 42)', () => {
    const bytes = encodeWeightsTlockPayload({
      hotkey: new Uint8Array([1, 2, 3]),
      uids: [1, 2, 3],
      values: [10, 20, 30],
      versionKey: 42n,
    });
    expect(toHex(bytes)).toBe('0c010203' + '0c010002000300' + '0c0a0014001e00' + '2a00000000000000');
  });
  it('refuses mismatched lengths and trailing bytes', () => {
    expect(() => encodeWeightsTlockPayload({ hotkey: ALICE, uids: [1], values: [], versionKey: 0n })).toThrow(
      /differ in length/,
    );
    expect(() => decodeWeightsTlockPayload(hex(`${ALICE_PAYLOAD}00`))).toThrow(/trailing/);
  });
});

describe('computeRevealRound (bittensor-drand generate_commit)', () => {
  const base = { blockTimeSeconds: 12, nowSeconds: 1_700_000_000, genesisTime: QUICKNET_GENESIS, period: 3 };
  it('test_get_encrypted_commits inputs: tempo 100, block 1000, netuid 1, reveal period 2', () => {
    // epoch (1000+2)/101 = 9 → reveal epoch 11 → first block 11·101−2 = 1109, target 1112, 112 blocks ahead.
    const r = computeRevealRound({
      ...base,
      currentBlock: 1000,
      netuid: 1,
      tempo: 100,
      revealPeriodEpochs: 2,
    });
    expect(r.firstRevealBlock).toBe(1109);
    expect(r.targetBlock).toBe(1112);
    // ⌊(1_700_000_000 + 112·12 − 1692803367) / 3⌋
    expect(r.revealRound).toBe(2399325n);
  });
  it('test_generate_commit_success inputs: tempo 50, block 500, netuid 100, reveal period 2', () => {
    const r = computeRevealRound({
      ...base,
      currentBlock: 500,
      netuid: 100,
      tempo: 50,
      revealPeriodEpochs: 2,
    });
    expect(r.firstRevealBlock).toBe(562);
    expect(r.revealRound).toBe(2399137n);
  });
  it('uses fractional block times and clock, rounds down, and never goes below round 1', () => {
    const r = computeRevealRound({
      ...base,
      blockTimeSeconds: 0.25,
      nowSeconds: 1_700_000_000.9,
      currentBlock: 7,
      netuid: 2,
      tempo: 10,
      revealPeriodEpochs: 1,
    });
    // epoch ⌊10/11⌋ = 0 → first reveal block 11−3 = 8, target 11, 4 blocks · 0.25 s = 1 s.
    expect(r.firstRevealBlock).toBe(8);
    expect(r.revealRound).toBe(BigInt(Math.floor((1_700_000_001.9 - QUICKNET_GENESIS) / 3)));
    const early = computeRevealRound({
      ...base,
      nowSeconds: 0,
      currentBlock: 1,
      netuid: 1,
      tempo: 10,
      revealPeriodEpochs: 1,
    });
    expect(early.revealRound).toBe(1n);
  });
  it('currentBeaconRound follows drand (round 1 at genesis)', () => {
    expect(currentBeaconRound(QUICKNET_GENESIS - 1, QUICKNET_GENESIS, 3)).toBe(0n);
    expect(currentBeaconRound(QUICKNET_GENESIS, QUICKNET_GENESIS, 3)).toBe(1n);
    expect(currentBeaconRound(QUICKNET_GENESIS + 2999 * 3, QUICKNET_GENESIS, 3)).toBe(3000n);
  });
});

describe('timelock encryption (tle-compatible)', () => {
  it('verifies the real quicknet round-1000 signature (G1 signatures, G2 key, RFC 9380 DST)', () => {
    expect(verifyBeaconSignature(QUICKNET_PK, 1000n, ROUND_1000_SIG)).toBe(true);
    expect(verifyBeaconSignature(QUICKNET_PK, 1001n, ROUND_1000_SIG)).toBe(false);
  });
  it('opens a ciphertext made by the arkworks tle implementation', () => {
    const plain = timelockDecrypt(hex(ARK_CIPHERTEXT), ROUND_1000_SIG);
    expect(toHex(plain)).toBe(ALICE_PAYLOAD);
  });
  it('serializes exactly as ark serialize_compressed lays out TLECiphertext', () => {
    const ct = timelockEncrypt(hex(ALICE_PAYLOAD), 1000n, QUICKNET_PK, {
      key: new Uint8Array(32).fill(9),
      t: new Uint8Array(48).fill(5),
      nonce: new Uint8Array(12).fill(3),
    });
    const ark = parseTimelockCiphertext(hex(ARK_CIPHERTEXT));
    const mine = parseTimelockCiphertext(ct);
    expect(ct.length).toBe(hex(ARK_CIPHERTEXT).length);
    expect(mine.cipherSuite).toEqual(ark.cipherSuite);
    expect(Buffer.from(mine.cipherSuite).toString()).toBe('AES_GCM_');
    expect(mine.nonce).toEqual(new Uint8Array(12).fill(3));
    expect(toHex(ct.subarray(96, 104))).toBe('2000000000000000');
    // Same AES key and nonce → the same AES-GCM body as any correct AES-256-GCM.
    expect(toHex(timelockDecrypt(ct, ROUND_1000_SIG))).toBe(ALICE_PAYLOAD);
  });
  it('round-trips with a devnet beacon key and fails with the wrong round, key or a tampered body', () => {
    const beacon = beaconKeyPairFromSeed(new TextEncoder().encode('devnet-test'));
    const msg = new TextEncoder().encode('weights');
    const ct = timelockEncrypt(msg, 42n, beacon.publicKey);
    const sig42 = beaconSign(beacon.secretKey, 42n);
    expect(verifyBeaconSignature(beacon.publicKey, 42n, sig42)).toBe(true);
    expect(Buffer.from(timelockDecrypt(ct, sig42)).toString()).toBe('weights');
    expect(() => timelockDecrypt(ct, beaconSign(beacon.secretKey, 43n))).toThrow(TimelockDecryptError);
    const other = beaconKeyPairFromSeed(new TextEncoder().encode('other'));
    expect(() => timelockDecrypt(ct, beaconSign(other.secretKey, 42n))).toThrow(/does not open/);
    const tampered = ct.slice();
    const at = ct.length - 30;
    tampered[at] = tampered[at]! ^ 1;
    expect(() => timelockDecrypt(tampered, sig42)).toThrow(TimelockDecryptError);
    expect(() => timelockDecrypt(ct.subarray(0, 100), sig42)).toThrow(/truncated/);
  });
});
