/**
 * No secret in any log line at any level: `subnetkit localnet --log-level debug` (one echo miner, one
 * round) runs as a child process, and its whole output (stdout and stderr) is searched for the
 * mnemonic, the seed and the secret keys of every key it uses, their secret URIs, and the password
 * in its environment.
 */
import { randomBytes } from 'node:crypto';
import { DEV_PHRASE, Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import {
  cryptoWaitReady,
  keyExtractSuri,
  keyFromPath,
  mnemonicToMiniSecret,
  sr25519PairFromSeed,
} from '@polkadot/util-crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

/** The secret URIs `startLocalnet` derives its validator, miner and coldkeys from. */
const LOCALNET_SURIS = ['//Alice//validator', '//Miner//0', '//Bob'];

async function secretsOf(suris: string[]): Promise<string[]> {
  await cryptoWaitReady();
  const seed = mnemonicToMiniSecret(DEV_PHRASE);
  const root = sr25519PairFromSeed(seed);
  const keyring = new Keyring({ type: 'sr25519' });
  const secrets = [DEV_PHRASE, u8aToHex(seed), u8aToHex(root.secretKey)];
  for (const suri of suris) {
    const pair = keyFromPath(root, keyExtractSuri(`${DEV_PHRASE}${suri}`).path, 'sr25519');
    // The derived key is the one the localnet signs with: same public key as the keyring's.
    expect(u8aToHex(pair.publicKey)).toBe(u8aToHex(keyring.addFromUri(suri).publicKey));
    secrets.push(suri, u8aToHex(pair.secretKey), u8aToHex(pair.secretKey.subarray(0, 32)));
  }
  // Hex without 0x, and any half of the mnemonic, count as well.
  const words = DEV_PHRASE.split(' ');
  return [
    ...secrets,
    ...secrets.filter((s) => s.startsWith('0x')).map((s) => s.slice(2)),
    words.slice(0, 6).join(' '),
    words.slice(6).join(' '),
  ];
}

describe('logs', () => {
  it('a localnet at debug level writes no mnemonic, seed, secret key or password', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const run = await runCli(
      [
        'localnet',
        '--port',
        '0',
        '--miners',
        '1',
        '--rounds',
        '1',
        '--tempo',
        '3',
        '--log-level',
        'debug',
        '--log-format',
        'json',
      ],
      { SUBNETKIT_PASSWORD: password },
      150_000,
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output.slice(-3000)).toBe(0);
    // The level reaches the services' loggers: lines from each of them, debug lines among them.
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; component?: string });
    expect(new Set(lines.map((l) => l.component))).toEqual(
      new Set([undefined, 'devnet', 'miner-0', 'validator', 'exporter']),
    );
    expect(lines.filter((l) => l.level === 'debug' && l.component === 'validator').length).toBeGreaterThan(0);
    for (const secret of [...(await secretsOf(LOCALNET_SURIS)), password]) {
      expect(
        output.toLowerCase().includes(secret.toLowerCase()),
        `the output contains ${secret.slice(0, 12)}…`,
      ).toBe(false);
    }
  }, 180_000);
});
