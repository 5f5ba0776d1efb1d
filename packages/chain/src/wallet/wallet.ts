/**
 * btcli-compatible wallet directories: `<root>/<name>/coldkey` (encrypted by default), `coldkeypub.txt`,
 * `hotkeys/<hotkey>` (plaintext by default) and `hotkeys/<hotkey>pub.txt`. Files 0600, directories 0700.
 */
import { fixCommand } from '@subnetkit/core';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { WalletError } from './errors.js';
import { decryptKeyfile, encryptKeyfile, isEncryptedKeyfile } from './keyfile.js';
import {
  type KeyfileData,
  type LoadedKey,
  generateMnemonic,
  keyFromKeyfileData,
  keyFromMnemonic,
  keyFromSeed,
  keyFromSs58,
  publicKeyfileData,
} from './keypair.js';

/** The default wallet root: `$BT_WALLET_PATH` or `~/.bittensor/wallets` (as btcli). */
export function defaultWalletPath(): string {
  return process.env.BT_WALLET_PATH ?? join(homedir(), '.bittensor', 'wallets');
}

/** Where a wallet lives and which hotkey it uses. */
export interface WalletOptions {
  /** Wallet name (directory under the root). Default `default`. */
  name?: string;
  /** Hotkey name (file under `hotkeys/`). Default `default`. */
  hotkey?: string;
  /** Wallet root directory. Default {@link defaultWalletPath}. */
  path?: string;
}

/** How to write a new key. */
export interface WriteKeyOptions {
  /** Password to encrypt the keyfile with; `null` writes it unencrypted (dev keys only). */
  password: string | null;
  /** Replace an existing keyfile. Default false: refuse, so keys are never lost by accident. */
  overwrite?: boolean;
}

/** The source a key is regenerated from. */
export type KeySource = { mnemonic: string } | { seed: string };

/** A created key: its address, and the mnemonic when one was generated (show it to the user once). */
export interface CreatedKey {
  ss58Address: string;
  mnemonic?: string;
}

/** What `wallet list` shows per wallet. */
export interface WalletSummary {
  name: string;
  coldkey: string | null;
  hotkeys: { name: string; ss58Address: string | null }[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeSecretFile(path: string, bytes: Uint8Array | string, overwrite: boolean): Promise<void> {
  if (!overwrite && (await exists(path))) {
    throw new WalletError(
      'KeyfileExists',
      `${path} already exists; pass --overwrite (overwrite: true) to replace it, after backing up its mnemonic`,
    );
  }
  await writeFile(path, bytes, { mode: 0o600 });
  // writeFile's mode only applies to new files; enforce it on overwrite too.
  await chmod(path, 0o600);
}

function isKeySourceMnemonic(src: KeySource): src is { mnemonic: string } {
  return 'mnemonic' in src;
}

/** A btcli wallet: one coldkey and any number of named hotkeys. */
export class Wallet {
  readonly name: string;
  readonly hotkeyName: string;
  readonly root: string;

  constructor(opts: WalletOptions = {}) {
    this.name = opts.name ?? 'default';
    this.hotkeyName = opts.hotkey ?? 'default';
    this.root = opts.path ?? defaultWalletPath();
    for (const [what, v] of [
      ['wallet name', this.name],
      ['hotkey name', this.hotkeyName],
    ] as const) {
      if (!v || v.includes('/') || v.includes('\\') || v === '.' || v === '..') {
        throw new WalletError('BadKeyfile', `invalid ${what} ${JSON.stringify(v)}: use a plain file name`);
      }
    }
  }

  get dir(): string {
    return join(this.root, this.name);
  }
  get coldkeyPath(): string {
    return join(this.dir, 'coldkey');
  }
  get coldkeypubPath(): string {
    return join(this.dir, 'coldkeypub.txt');
  }
  get hotkeyPath(): string {
    return join(this.dir, 'hotkeys', this.hotkeyName);
  }
  get hotkeypubPath(): string {
    return join(this.dir, 'hotkeys', `${this.hotkeyName}pub.txt`);
  }

  /** The same wallet with another hotkey selected. */
  withHotkey(hotkey: string): Wallet {
    return new Wallet({ name: this.name, hotkey, path: this.root });
  }

  private async writeKey(
    key: LoadedKey,
    secretPath: string,
    pubPath: string,
    opts: WriteKeyOptions,
  ): Promise<void> {
    await mkdir(join(this.dir, 'hotkeys'), { recursive: true, mode: 0o700 });
    const overwrite = opts.overwrite ?? false;
    if (!overwrite && (await exists(secretPath))) {
      throw new WalletError(
        'KeyfileExists',
        `${secretPath} already exists; pass --overwrite to replace it (back up its mnemonic first)`,
      );
    }
    const json = stringToU8a(JSON.stringify(key.data));
    const body = opts.password === null ? json : await encryptKeyfile(json, opts.password);
    await writeSecretFile(secretPath, body, overwrite);
    await writeSecretFile(pubPath, JSON.stringify(publicKeyfileData(key.data)), true);
  }

  /** Creates a new coldkey from a fresh mnemonic. Encrypted unless `password` is null. */
  async createColdkey(opts: WriteKeyOptions & { words?: 12 | 15 | 18 | 21 | 24 }): Promise<CreatedKey> {
    const mnemonic = generateMnemonic(opts.words ?? 12);
    const key = await keyFromMnemonic(mnemonic);
    await this.writeKey(key, this.coldkeyPath, this.coldkeypubPath, opts);
    return { ss58Address: key.ss58Address, mnemonic };
  }

  /** Creates a new hotkey from a fresh mnemonic. Plaintext by default (as btcli). */
  async createHotkey(
    opts: Partial<WriteKeyOptions> & { words?: 12 | 15 | 18 | 21 | 24 } = {},
  ): Promise<CreatedKey> {
    const mnemonic = generateMnemonic(opts.words ?? 12);
    const key = await keyFromMnemonic(mnemonic);
    await this.writeKey(key, this.hotkeyPath, this.hotkeypubPath, {
      password: opts.password ?? null,
      overwrite: opts.overwrite ?? false,
    });
    return { ss58Address: key.ss58Address, mnemonic };
  }

  /** Regenerates the coldkey from a mnemonic or a seed. */
  async regenColdkey(source: KeySource, opts: WriteKeyOptions): Promise<CreatedKey> {
    const key = isKeySourceMnemonic(source)
      ? await keyFromMnemonic(source.mnemonic)
      : await keyFromSeed(source.seed);
    await this.writeKey(key, this.coldkeyPath, this.coldkeypubPath, opts);
    return { ss58Address: key.ss58Address };
  }

  /** Regenerates the selected hotkey from a mnemonic or a seed. */
  async regenHotkey(source: KeySource, opts: Partial<WriteKeyOptions> = {}): Promise<CreatedKey> {
    const key = isKeySourceMnemonic(source)
      ? await keyFromMnemonic(source.mnemonic)
      : await keyFromSeed(source.seed);
    await this.writeKey(key, this.hotkeyPath, this.hotkeypubPath, {
      password: opts.password ?? null,
      overwrite: opts.overwrite ?? false,
    });
    return { ss58Address: key.ss58Address };
  }

  /** Writes only `coldkeypub.txt` from an SS58 address (a watch-only wallet). */
  async regenColdkeypub(ss58: string, opts: { overwrite?: boolean } = {}): Promise<CreatedKey> {
    const key = await keyFromSs58(ss58);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeSecretFile(this.coldkeypubPath, JSON.stringify(key.data), opts.overwrite ?? false);
    return { ss58Address: key.ss58Address };
  }

  private async readKeyfile(path: string, what: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      throw new WalletError(
        'KeyfileNotFound',
        `${what} not found at ${path}; create it with \`${fixCommand('wallet create', {
          '--wallet': this.name,
          '--hotkey': what === 'hotkey' ? this.hotkeyName : undefined,
        })}\` or restore it with \`${fixCommand('wallet regen', { '--wallet': this.name })}\``,
      );
    }
  }

  private async loadKey(path: string, what: string, password: string | undefined): Promise<LoadedKey> {
    let bytes = await this.readKeyfile(path, what);
    if (isEncryptedKeyfile(bytes)) {
      if (password === undefined) {
        throw new WalletError(
          'PasswordRequired',
          `${what} ${path} is encrypted: enter its password (or set SUBNETKIT_PASSWORD)`,
        );
      }
      bytes = await decryptKeyfile(bytes, password, { path });
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new WalletError(
        'BadKeyfile',
        `${path} is not valid keyfile JSON; regenerate it from the mnemonic`,
      );
    }
    return keyFromKeyfileData(json, path);
  }

  /** True when the coldkey file is encrypted (so unlocking it needs a password). */
  async coldkeyIsEncrypted(): Promise<boolean> {
    return isEncryptedKeyfile(await this.readKeyfile(this.coldkeyPath, 'coldkey'));
  }

  /** True when the hotkey file is encrypted. */
  async hotkeyIsEncrypted(): Promise<boolean> {
    return isEncryptedKeyfile(await this.readKeyfile(this.hotkeyPath, 'hotkey'));
  }

  /** Decrypts and loads the coldkey signing pair. */
  async unlockColdkey(password?: string): Promise<KeyringPair> {
    const key = await this.loadKey(this.coldkeyPath, 'coldkey', password);
    if (!key.pair) throw new WalletError('PublicOnly', `${this.coldkeyPath} holds no secret key`);
    return key.pair;
  }

  /** Loads the hotkey signing pair (password only if the hotkey was written encrypted). */
  async hotkey(password?: string): Promise<KeyringPair> {
    const key = await this.loadKey(this.hotkeyPath, 'hotkey', password);
    if (!key.pair) throw new WalletError('PublicOnly', `${this.hotkeyPath} holds no secret key`);
    return key.pair;
  }

  /** The coldkey's SS58 address from `coldkeypub.txt` (no password needed). */
  async coldkeypub(): Promise<string> {
    const key = await this.loadKey(this.coldkeypubPath, 'coldkeypub', undefined);
    return key.ss58Address;
  }

  /** The hotkey's SS58 address (from `<hotkey>pub.txt`, or the hotkey file when older wallets lack it). */
  async hotkeypub(password?: string): Promise<string> {
    if (await exists(this.hotkeypubPath)) {
      return (await this.loadKey(this.hotkeypubPath, 'hotkeypub', undefined)).ss58Address;
    }
    return (await this.loadKey(this.hotkeyPath, 'hotkey', password)).ss58Address;
  }

  /** Public summary of this wallet (coldkey address and every hotkey). */
  async show(): Promise<WalletSummary> {
    const coldkey = await this.coldkeypub().catch(() => null);
    const hotkeys: WalletSummary['hotkeys'] = [];
    const names = await readdir(join(this.dir, 'hotkeys')).catch(() => [] as string[]);
    for (const n of names.sort()) {
      if (n.endsWith('pub.txt')) continue;
      hotkeys.push({
        name: n,
        ss58Address: await this.withHotkey(n)
          .hotkeypub()
          .catch(() => null),
      });
    }
    return { name: this.name, coldkey, hotkeys };
  }
}

/** Signs a UTF-8 message with a keypair (sr25519, substrate context), as `btcli wallet sign` does. */
export function signMessage(pair: KeyringPair, message: string): { ss58: string; signature: string } {
  return { ss58: pair.address, signature: u8aToHex(pair.sign(stringToU8a(message))) };
}

/** Lists every wallet under a root, with public addresses only. */
export async function listWallets(root: string = defaultWalletPath()): Promise<WalletSummary[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: WalletSummary[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!e.isDirectory()) continue;
    out.push(await new Wallet({ name: e.name, path: root }).show());
  }
  return out;
}

export type { KeyfileData };
