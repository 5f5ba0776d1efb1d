import { describe, expect, it } from 'vitest';
import {
  blocksUntilNextEpoch,
  ChainValueError,
  decodeIp,
  encodeIp,
  epochIndex,
  epochRunsAt,
  firstBlockOfEpoch,
  isServing,
  MECHANISM_STRIDE,
  netuidStorageIndex,
  RAO_PER_TAO,
  raoToTao,
  raoToTokens,
  SUBTENSOR_SIGNED_EXTENSIONS,
  taoToRao,
  tempoPosition,
  U16_MAX,
} from './index.js';

describe('epoch arithmetic (protocol facts 5.1, stateless formula)', () => {
  it('matches subtensor get_epoch_index and blocks_until_next_epoch', () => {
    // tempo 10, netuid 1: the index steps where (block + 2) % 11 == 0 (blocks 9, 20, 31, ...); the epoch
    // itself runs one block earlier (8, 19, 30, ...), where blocks_until_next_epoch is 0.
    expect(epochIndex(8, 1, 10)).toBe(0);
    expect(epochIndex(9, 1, 10)).toBe(1);
    expect(firstBlockOfEpoch(1, 1, 10)).toBe(9);
    expect(firstBlockOfEpoch(0, 1, 10)).toBe(0);
    expect(blocksUntilNextEpoch(9, 1, 10)).toBe(10);
    expect(blocksUntilNextEpoch(8, 1, 10)).toBe(0);
    expect(tempoPosition(12, 1, 10)).toEqual({ block: 12, epoch: 1, intoEpoch: 3, blocksUntilNextEpoch: 7 });
    // The SDK's default tempo on netuid 3.
    expect(epochIndex(100, 3, 99)).toBe(1);
    expect(blocksUntilNextEpoch(1000, 3, 360)).toBe(360 - ((1000 + 3 + 1) % 361));
  });

  it("matches the first-epoch-block table in subtensor's blocks_until_next_epoch", () => {
    // tempo | netuid | first epoch block
    for (const [tempo, netuid, first] of [
      [1, 0, 0],
      [1, 1, 1],
      [2, 0, 1],
      [2, 1, 0],
      [100, 0, 99],
      [100, 1, 98],
    ] as const) {
      let b = 0;
      while (!epochRunsAt(b, netuid, tempo)) b++;
      expect(b, `tempo ${tempo} netuid ${netuid}`).toBe(first);
    }
  });

  it('an epoch runs where the countdown reaches 0, in the last block of an epoch index', () => {
    for (const [netuid, tempo] of [
      [1, 10],
      [0, 1],
      [7, 360],
      [4095, 99],
    ] as const) {
      let runs = 0;
      for (let b = 1; b < 2000; b++) {
        const steps = epochIndex(b + 1, netuid, tempo) > epochIndex(b, netuid, tempo);
        expect(epochRunsAt(b, netuid, tempo), `netuid ${netuid} tempo ${tempo} block ${b}`).toBe(steps);
        expect(blocksUntilNextEpoch(b, netuid, tempo) === 0).toBe(steps);
        if (steps) {
          runs++;
          expect(firstBlockOfEpoch(epochIndex(b + 1, netuid, tempo), netuid, tempo)).toBe(b + 1);
        }
      }
      // The period is tempo + 1 blocks.
      expect(Math.abs(runs - 1999 / (tempo + 1))).toBeLessThanOrEqual(1);
    }
  });

  it('tempo 0 disables epochs', () => {
    expect(blocksUntilNextEpoch(5, 1, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(epochRunsAt(5, 1, 0)).toBe(false);
  });
});

describe('units', () => {
  it('converts TAO text to rao exactly and back', () => {
    expect(RAO_PER_TAO).toBe(1_000_000_000n);
    expect(taoToRao('1.5')).toBe(1_500_000_000n);
    expect(taoToRao(2)).toBe(2_000_000_000n);
    expect(taoToRao(' 12.123456789 ')).toBe(12_123_456_789n);
    expect(taoToRao('0.000000001')).toBe(1n);
    expect(taoToRao('1.5000000000')).toBe(1_500_000_000n);
    expect(raoToTao(1_500_000_000n)).toBe('1.5');
    expect(raoToTao(1n)).toBe('0.000000001');
    expect(raoToTao(-2_000_000_000n)).toBe('-2');
    expect(raoToTokens(1_500_000_000n)).toBe(1.5);
    expect(raoToTokens(250_000_000)).toBe(0.25);
  });

  it('refuses negatives, junk and sub-rao precision with a BadInput error naming the fix', () => {
    expect(() => taoToRao('-1')).toThrow(ChainValueError);
    expect(() => taoToRao('-1')).toThrow(
      /invalid amount "-1": use a non-negative number with up to 9 decimals/,
    );
    expect(() => taoToRao('abc')).toThrow(/invalid amount/);
    expect(() => taoToRao('0.0000000001')).toThrow(/up to 9 decimals/);
    try {
      taoToRao('x');
    } catch (e) {
      expect((e as ChainValueError).code).toBe('BadInput');
    }
  });

  it('U16_MAX is the largest u16', () => {
    expect(U16_MAX).toBe(2 ** 16 - 1);
  });
});

describe('axon IP codec (protocol facts 2.5)', () => {
  it('encodes IPv4 as the big-endian integer and back', () => {
    expect(encodeIp('192.168.1.10')).toEqual({ ip: 3232235786n, ipType: 4 });
    expect(encodeIp('127.0.0.1')).toEqual({ ip: 0x7f000001n, ipType: 4 });
    expect(decodeIp(3232235786n, 4)).toBe('192.168.1.10');
    expect(decodeIp(0n, 4)).toBe('0.0.0.0');
    expect(() => encodeIp('300.1.1.1')).toThrow(ChainValueError);
    expect(() => encodeIp('300.1.1.1')).toThrow(/0-255/);
    expect(() => encodeIp('example.com')).toThrow(/expected IPv4 or IPv6/);
  });

  it('encodes IPv6 to the 128-bit integer and prints it compressed (RFC 5952)', () => {
    const { ip, ipType } = encodeIp('2001:db8::1');
    expect(ipType).toBe(6);
    expect(ip).toBe((0x20010db8n << 96n) | 1n);
    expect(decodeIp(ip, 6)).toBe('2001:db8::1');
    expect(encodeIp('::1')).toEqual({ ip: 1n, ipType: 6 });
    expect(decodeIp(encodeIp('::ffff:1').ip, 6)).toBe('::ffff:1');
    expect(decodeIp(encodeIp('1:0:2:3:4:5:6:7').ip, 6)).toBe('1:0:2:3:4:5:6:7');
    expect(() => encodeIp('1::2::3')).toThrow(/'::' may appear once/);
    expect(() => encodeIp('1:2:3')).toThrow(/8 hex groups/);
  });
});

describe('storage index', () => {
  it('is netuid for mechanism 0 and mecid * 4096 + netuid otherwise', () => {
    expect(netuidStorageIndex(7)).toBe(7);
    expect(netuidStorageIndex(7, 0)).toBe(7);
    expect(netuidStorageIndex(7, 1)).toBe(4103);
    expect(MECHANISM_STRIDE).toBe(4096);
  });
});

describe('axon views', () => {
  it('an axon serves only with a routable address and a port', () => {
    expect(isServing({ ip: '10.0.0.1', port: 8091 })).toBe(true);
    expect(isServing({ ip: '2001:db8::1', port: 1 })).toBe(true);
    expect(isServing({ ip: '0.0.0.0', port: 8091 })).toBe(false);
    expect(isServing({ ip: '::', port: 8091 })).toBe(false);
    expect(isServing({ ip: '', port: 8091 })).toBe(false);
    expect(isServing({ ip: '10.0.0.1', port: 0 })).toBe(false);
    expect(isServing(undefined)).toBe(false);
  });
});

describe('signed extensions', () => {
  it("declares every custom extension of subtensor's runtimes; only the payment wrapper carries bytes", () => {
    // spec 425 (protocol facts 2.0), spec 381 (metadata fixture), spec 240 (older captures).
    const custom = [
      'ChargeTransactionPaymentWrapper',
      'SudoTransactionExtension',
      'CheckShieldedTxValidity',
      'SubtensorTransactionExtension',
      'DrandPriority',
      'SubtensorSignedExtension',
      'CommitmentsSignedExtension',
    ];
    expect(Object.keys(SUBTENSOR_SIGNED_EXTENSIONS).sort()).toEqual([...custom].sort());
    for (const [id, def] of Object.entries(SUBTENSOR_SIGNED_EXTENSIONS)) {
      expect(def.payload, id).toEqual({});
      expect(def.extrinsic, id).toEqual(
        id === 'ChargeTransactionPaymentWrapper' ? { tip: 'Compact<Balance>' } : {},
      );
    }
    expect(Object.isFrozen(SUBTENSOR_SIGNED_EXTENSIONS)).toBe(true);
  });
});
