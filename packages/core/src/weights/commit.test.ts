import { hexToU8a } from '@polkadot/util';
import { describe, expect, it } from 'vitest';
import { weightCommitHash } from './commit.js';
import { WeightsError } from './errors.js';

const alice = hexToU8a('0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d');
const vector = {
  hotkeyPublicKey: alice,
  netuidIndex: 1,
  uids: [0, 1],
  values: [65535, 32768],
  salt: [1, 2, 3, 4, 5, 6, 7, 8],
  versionKey: 0n,
};

describe('weightCommitHash', () => {
  it('matches the protocol-facts test vector', () => {
    // blake2b-256 of d435..a27d | 0100 | 08 0000 0100 | 08 ffff 0080 | 20 0100 0200 .. 0800 | 0000000000000000
    expect(weightCommitHash(vector)).toBe(
      '0x15d1d763685dfce22d8650296059d5767f0932787b33a80c31d996c3d36b6eef',
    );
  });

  it('changes with every field', () => {
    const base = weightCommitHash(vector);
    expect(weightCommitHash({ ...vector, netuidIndex: 2 })).not.toBe(base);
    expect(weightCommitHash({ ...vector, salt: [1, 2, 3, 4, 5, 6, 7, 9] })).not.toBe(base);
    expect(weightCommitHash({ ...vector, versionKey: 1n })).not.toBe(base);
    expect(weightCommitHash({ ...vector, values: [65535, 32767] })).not.toBe(base);
  });

  it('rejects malformed input', () => {
    expect(() => weightCommitHash({ ...vector, hotkeyPublicKey: new Uint8Array(31) })).toThrow(
      /32-byte public key/,
    );
    expect(() => weightCommitHash({ ...vector, values: [1] })).toThrow(WeightsError);
    expect(() => weightCommitHash({ ...vector, salt: [70000] })).toThrow(/salt\[0\] is 70000/);
    expect(() => weightCommitHash({ ...vector, versionKey: -1n })).toThrow(/versionKey/);
  });
});
