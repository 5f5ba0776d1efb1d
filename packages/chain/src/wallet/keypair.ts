/**
 * sr25519 keypairs and btcli keyfile JSON (protocol facts 7.2, 7.4). Keys are rebuilt from `secretPhrase`
 * or `secretSeed` (btwallet's loading priority); `privateKey` is written in btwallet's canonical form
 * (schnorrkel scalar ‖ nonce) and read back by undoing @polkadot's cofactor multiplication.
 */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex, u8aToHex } from '@polkadot/util';
import {
  cryptoWaitReady,
  encodeAddress,
  mnemonicGenerate,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed,
} from '@polkadot/util-crypto';
import { WalletError } from './errors.js';

/** Bittensor's SS58 prefix. */
export const SS58_FORMAT = 42;

/** A keyfile's JSON as btwallet writes it; `*pub.txt` files hold only the public fields. */
export interface KeyfileData {
  accountId: string;
  publicKey: string;
  ss58Address: string;
  privateKey?: string;
  secretPhrase?: string;
  secretSeed?: string;
}

/** A loaded key: the signing pair (absent for public-only keyfiles) and its public data. */
export interface LoadedKey {
  ss58Address: string;
  publicKey: Uint8Array;
  pair?: KeyringPair;
  data: KeyfileData;
}

let ready: Promise<boolean> | undefined;
/** Waits for the WASM crypto backend (sr25519) once per process. */
export function cryptoReady(): Promise<boolean> {
  ready ??= cryptoWaitReady();
  return ready;
}

function keyring(): Keyring {
  return new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
}

/** Shifts a 32-byte little-endian scalar by 3 bits (schnorrkel's cofactor conversions). */
function shiftScalar(bytes: Uint8Array, dir: 'mul8' | 'div8'): Uint8Array {
  const out = new Uint8Array(32);
  if (dir === 'div8') {
    let low = 0;
    for (let i = 31; i >= 0; i--) {
      const b = bytes[i]!;
      out[i] = (b >> 3) | low;
      low = (b << 5) & 0xff;
    }
  } else {
    let high = 0;
    for (let i = 0; i < 32; i++) {
      const b = bytes[i]!;
      out[i] = ((b << 3) & 0xff) | high;
      high = b >> 5;
    }
  }
  return out;
}

/** Converts @polkadot's 64-byte sr25519 secretKey (ed25519 form) to btwallet's canonical privateKey. */
export function polkadotSecretToPrivateKey(secretKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  out.set(shiftScalar(secretKey.subarray(0, 32), 'div8'), 0);
  out.set(secretKey.subarray(32, 64), 32);
  return out;
}

/** Converts btwallet's canonical privateKey back to @polkadot's 64-byte secretKey form. */
export function privateKeyToPolkadotSecret(privateKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  out.set(shiftScalar(privateKey.subarray(0, 32), 'mul8'), 0);
  out.set(privateKey.subarray(32, 64), 32);
  return out;
}

/** Generates a BIP-39 mnemonic (12 words by default, as btcli). */
export function generateMnemonic(words: 12 | 15 | 18 | 21 | 24 = 12): string {
  return mnemonicGenerate(words);
}

function publicData(publicKey: Uint8Array): KeyfileData {
  const hex = u8aToHex(publicKey);
  return { accountId: hex, publicKey: hex, ss58Address: encodeAddress(publicKey, SS58_FORMAT) };
}

function fromSeedBytes(seed: Uint8Array, phrase?: string): LoadedKey {
  const kp = sr25519PairFromSeed(seed);
  const pair = keyring().addFromPair(kp);
  const data: KeyfileData = {
    ...publicData(kp.publicKey),
    privateKey: u8aToHex(polkadotSecretToPrivateKey(kp.secretKey)),
    secretSeed: u8aToHex(seed),
  };
  if (phrase !== undefined) data.secretPhrase = phrase;
  return { ss58Address: data.ss58Address, publicKey: kp.publicKey, pair, data };
}

/** Builds a key from a mnemonic the substrate way (no derivation path, empty BIP-39 password). */
export async function keyFromMnemonic(mnemonic: string): Promise<LoadedKey> {
  await cryptoReady();
  const phrase = mnemonic.trim().split(/\s+/).join(' ');
  if (!mnemonicValidate(phrase)) {
    throw new WalletError(
      'BadMnemonic',
      'invalid mnemonic: check the words and their order (12-24 BIP-39 words)',
    );
  }
  return fromSeedBytes(mnemonicToMiniSecret(phrase), phrase);
}

/** Builds a key from a 32-byte mini-secret seed given as 0x-hex. */
export async function keyFromSeed(seedHex: string): Promise<LoadedKey> {
  await cryptoReady();
  const hex = seedHex.startsWith('0x') ? seedHex : `0x${seedHex}`;
  if (!isHex(hex) || hexToU8a(hex).length !== 32) {
    throw new WalletError('BadSeed', 'invalid seed: expected 32 bytes as hex (0x followed by 64 hex digits)');
  }
  return fromSeedBytes(hexToU8a(hex));
}

/** Builds a public-only key from an SS58 address (for coldkeypub.txt). */
export async function keyFromSs58(ss58: string): Promise<LoadedKey> {
  await cryptoReady();
  let publicKey: Uint8Array;
  try {
    publicKey = keyring().decodeAddress(ss58);
  } catch {
    throw new WalletError('BadKeyfile', `invalid SS58 address ${JSON.stringify(ss58)}`);
  }
  const data = publicData(publicKey);
  return { ss58Address: data.ss58Address, publicKey, data };
}

/** The public-only form of a keyfile (what `coldkeypub.txt` / `<hotkey>pub.txt` hold). */
export function publicKeyfileData(data: KeyfileData): KeyfileData {
  return { accountId: data.accountId, publicKey: data.publicKey, ss58Address: data.ss58Address };
}

/**
 * Loads a key from keyfile JSON with btwallet's priority: secretPhrase, secretSeed, privateKey, ss58Address.
 */
export async function keyFromKeyfileData(raw: unknown, path = 'keyfile'): Promise<LoadedKey> {
  if (typeof raw !== 'object' || raw === null) {
    throw new WalletError(
      'BadKeyfile',
      `${path} does not hold a JSON object; regenerate it from the mnemonic`,
    );
  }
  const d = raw as Partial<Record<keyof KeyfileData, unknown>>;
  if (typeof d.secretPhrase === 'string') return keyFromMnemonic(d.secretPhrase);
  if (typeof d.secretSeed === 'string') return keyFromSeed(d.secretSeed);
  if (typeof d.privateKey === 'string' && isHex(d.privateKey) && hexToU8a(d.privateKey).length === 64) {
    await cryptoReady();
    const secretKey = privateKeyToPolkadotSecret(hexToU8a(d.privateKey));
    const publicKey =
      typeof d.publicKey === 'string' && isHex(d.publicKey)
        ? hexToU8a(d.publicKey)
        : keyring().decodeAddress(String(d.ss58Address));
    const pair = keyring().addFromPair({ publicKey, secretKey });
    const data = { ...publicData(publicKey), privateKey: d.privateKey };
    return { ss58Address: data.ss58Address, publicKey, pair, data };
  }
  if (typeof d.ss58Address === 'string') return keyFromSs58(d.ss58Address);
  if (typeof d.publicKey === 'string' && isHex(d.publicKey)) {
    return keyFromSs58(encodeAddress(hexToU8a(d.publicKey), SS58_FORMAT));
  }
  throw new WalletError(
    'BadKeyfile',
    `${path} has none of secretPhrase, secretSeed, privateKey, ss58Address`,
  );
}
