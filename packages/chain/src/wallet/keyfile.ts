/**
 * btcli keyfile encryption (protocol facts 7.3): `$NACL` ‖ 24-byte nonce ‖ XSalsa20-Poly1305 secretbox, the
 * key derived from the password with Argon2i v1.3 (opslimit 8, memlimit 512 MiB, fixed salt). Pure: no file
 * I/O here.
 */
import { fixCommand } from '@subnetkit/core';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { argon2i } from 'hash-wasm';
import { WalletError } from './errors.js';

/** The 5-byte prefix btwallet writes in front of NaCl-encrypted keyfiles. */
export const NACL_PREFIX = new TextEncoder().encode('$NACL');
/** btwallet's fixed Argon2i salt (`NACL_SALT` in btwallet's keyfile.rs). */
export const NACL_SALT = Uint8Array.from([
  0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
]);
/** libsodium's Argon2i "sensitive" limits, which btwallet uses (NOT the Argon2id constants). */
export const ARGON2I_OPSLIMIT = 8;
export const ARGON2I_MEMLIMIT_BYTES = 536_870_912;

const NONCE_BYTES = 24;
const MAC_BYTES = 16;

/** Which encryption a keyfile's bytes carry, detected by prefix as btwallet does. */
export type KeyfileEncoding = 'nacl' | 'ansible-vault' | 'legacy-fernet' | 'plaintext';

function startsWith(bytes: Uint8Array, prefix: Uint8Array | string): boolean {
  const p = typeof prefix === 'string' ? new TextEncoder().encode(prefix) : prefix;
  if (bytes.length < p.length) return false;
  for (let i = 0; i < p.length; i++) if (bytes[i] !== p[i]) return false;
  return true;
}

/** Detects how a keyfile is stored. */
export function keyfileEncoding(bytes: Uint8Array): KeyfileEncoding {
  if (startsWith(bytes, NACL_PREFIX)) return 'nacl';
  if (startsWith(bytes, '$ANSIBLE_VAULT')) return 'ansible-vault';
  if (startsWith(bytes, 'gAAAAA')) return 'legacy-fernet';
  return 'plaintext';
}

/** True when the keyfile bytes are encrypted in any format btcli has used. */
export function isEncryptedKeyfile(bytes: Uint8Array): boolean {
  return keyfileEncoding(bytes) !== 'plaintext';
}

/**
 * Derives the 32-byte secretbox key from a password exactly as btwallet does (libsodium `crypto_pwhash`,
 * ALG_ARGON2I13). Takes a few seconds and 512 MiB by design.
 */
export async function deriveKeyfileKey(password: string): Promise<Uint8Array> {
  return argon2i({
    password: new TextEncoder().encode(password),
    salt: NACL_SALT,
    iterations: ARGON2I_OPSLIMIT,
    memorySize: ARGON2I_MEMLIMIT_BYTES / 1024,
    parallelism: 1,
    hashLength: 32,
    outputType: 'binary',
  });
}

/**
 * Encrypts keyfile plaintext into btwallet's `$NACL` format. `nonce` is random unless given (tests pin it).
 * `key` may be passed to skip the slow derivation when it is already known.
 */
export async function encryptKeyfile(
  plaintext: Uint8Array,
  password: string,
  opts: { nonce?: Uint8Array; key?: Uint8Array } = {},
): Promise<Uint8Array> {
  const nonce = opts.nonce ?? crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  if (nonce.length !== NONCE_BYTES) throw new WalletError('BadKeyfile', `nonce must be ${NONCE_BYTES} bytes`);
  const key = opts.key ?? (await deriveKeyfileKey(password));
  const boxed = xsalsa20poly1305(key, nonce).encrypt(plaintext);
  const out = new Uint8Array(NACL_PREFIX.length + NONCE_BYTES + boxed.length);
  out.set(NACL_PREFIX, 0);
  out.set(nonce, NACL_PREFIX.length);
  out.set(boxed, NACL_PREFIX.length + NONCE_BYTES);
  return out;
}

/**
 * Decrypts a `$NACL` keyfile. A wrong password fails the Poly1305 check and raises a `WrongPassword`
 * WalletError; other legacy formats raise `UnsupportedKeyfile` with the fix (regenerate from the mnemonic).
 */
export async function decryptKeyfile(
  bytes: Uint8Array,
  password: string,
  opts: { key?: Uint8Array; path?: string } = {},
): Promise<Uint8Array> {
  const where = opts.path ? ` ${opts.path}` : '';
  const enc = keyfileEncoding(bytes);
  if (enc === 'plaintext') return bytes;
  if (enc !== 'nacl') {
    throw new WalletError(
      'UnsupportedKeyfile',
      `keyfile${where} uses the legacy ${enc} encryption, which subnetkit cannot open; ` +
        `regenerate the key from its mnemonic (\`${fixCommand('wallet regen', { '--mnemonic': '"<words>"' })}\`) to re-encrypt it in the current format`,
    );
  }
  if (bytes.length < NACL_PREFIX.length + NONCE_BYTES + MAC_BYTES) {
    throw new WalletError('BadKeyfile', `keyfile${where} is truncated (${bytes.length} bytes)`);
  }
  const nonce = bytes.subarray(NACL_PREFIX.length, NACL_PREFIX.length + NONCE_BYTES);
  const boxed = bytes.subarray(NACL_PREFIX.length + NONCE_BYTES);
  const key = opts.key ?? (await deriveKeyfileKey(password));
  try {
    return xsalsa20poly1305(key, nonce).decrypt(boxed);
  } catch {
    throw new WalletError(
      'WrongPassword',
      `wrong password for keyfile${where}: decryption failed; try again (or set SUBNETKIT_PASSWORD correctly)`,
    );
  }
}
