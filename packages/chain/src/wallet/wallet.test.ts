import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hexToU8a, stringToU8a, u8aToHex } from '@polkadot/util';
import { signatureVerify } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptKeyfile, deriveKeyfileKey, encryptKeyfile, keyfileEncoding } from './keyfile.js';
import { cryptoReady, keyFromKeyfileData, keyFromMnemonic, keyFromSeed } from './keypair.js';
import { Wallet, listWallets, signMessage } from './wallet.js';

// Test vectors from protocol facts 7.2 / 7.3 (cross-checked there against libsodium and PyNaCl).
const PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const SEED = '0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e';
const PUBKEY = '0x46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a';
const SS58 = '5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV';
const PRIVATE_KEY =
  '0x05d65584630d16cd4af6d0bec10f34bb504a5dcb62dba2122d49f5a663763d0afd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34';
const PASSWORD_KEY = 'e0f0a46eb9cef9668809f83188345c0af9c9514a18a407709e1f34dd677a7363';
const ZERO_NONCE_FILE =
  '244e41434c' +
  '0'.repeat(48) +
  '4b3ff03b8052c7e11ecebbfa841673e9756e621db062ae3cf9de473b835fd0b71f74f4e71c3c85450af9aeccac8e3d4e70d4924d98a3e846308cbeadf5297b99c579325597d5b577046ccc8c3ccca3f96bc0';

const SLOW = 180_000; // each Argon2i derivation (512 MiB) takes seconds by design

describe('keypairs (btwallet keyfile JSON)', () => {
  it('derives seed, public key and SS58 from the test mnemonic', async () => {
    const k = await keyFromMnemonic(PHRASE);
    expect(k.data.secretSeed).toBe(SEED);
    expect(k.data.publicKey).toBe(PUBKEY);
    expect(k.data.accountId).toBe(PUBKEY);
    expect(k.ss58Address).toBe(SS58);
    expect(k.data.privateKey).toBe(PRIVATE_KEY);
    const fromSeed = await keyFromSeed(SEED);
    expect(fromSeed.ss58Address).toBe(SS58);
  });

  it('loads a privateKey-only keyfile and signs verifiably', async () => {
    await cryptoReady();
    const k = await keyFromKeyfileData({ privateKey: PRIVATE_KEY, publicKey: PUBKEY, ss58Address: SS58 });
    expect(k.ss58Address).toBe(SS58);
    const sig = k.pair!.sign(stringToU8a('hello'));
    expect(signatureVerify(stringToU8a('hello'), sig, SS58).isValid).toBe(true);
  });

  it('rejects a bad mnemonic and a bad seed with clear errors', async () => {
    await expect(keyFromMnemonic('not a real phrase')).rejects.toThrow(/invalid mnemonic/);
    await expect(keyFromSeed('0x1234')).rejects.toThrow(/expected 32 bytes/);
  });
});

describe('NaCl keyfile encryption (btwallet format)', () => {
  let key: Uint8Array;
  beforeAll(async () => {
    key = await deriveKeyfileKey('password');
  }, SLOW);

  it('derives the pinned Argon2i key for "password"', () => {
    expect(u8aToHex(key, -1, false)).toBe(PASSWORD_KEY);
  });

  it('encrypts to the pinned all-zero-nonce ciphertext and decrypts it back', async () => {
    const plain = stringToU8a(`{"ss58Address":"${SS58}"}`);
    const file = await encryptKeyfile(plain, 'password', { nonce: new Uint8Array(24), key });
    expect(u8aToHex(file, -1, false)).toBe(ZERO_NONCE_FILE);
    expect(keyfileEncoding(file)).toBe('nacl');
    const back = await decryptKeyfile(file, 'password', { key });
    expect(new TextDecoder().decode(back)).toBe(`{"ss58Address":"${SS58}"}`);
  });

  it('reports a wrong key as a wrong password, and legacy formats as unsupported', async () => {
    const file = hexToU8a(`0x${ZERO_NONCE_FILE}`);
    const wrong = new Uint8Array(32).fill(7);
    await expect(decryptKeyfile(file, 'nope', { key: wrong })).rejects.toMatchObject({
      code: 'WrongPassword',
    });
    await expect(decryptKeyfile(stringToU8a('gAAAAAxyz'), 'pw')).rejects.toMatchObject({
      code: 'UnsupportedKeyfile',
    });
  });

  describe('wallet round trip with a keyfile written as btcli writes it', () => {
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'subnetkit-wallet-'));
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it(
      'opens a btcli coldkey with the right password and names the cause on a wrong one',
      async () => {
        const dir = join(root, 'btcli', 'hotkeys');
        await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
        // Exactly btwallet's fields, then its $NACL encryption (key = Argon2i("password")).
        const json = JSON.stringify({
          accountId: PUBKEY,
          publicKey: PUBKEY,
          privateKey: PRIVATE_KEY,
          secretPhrase: PHRASE,
          secretSeed: SEED,
          ss58Address: SS58,
        });
        const enc = await encryptKeyfile(stringToU8a(json), 'password', { key });
        await writeFile(join(root, 'btcli', 'coldkey'), enc, { mode: 0o600 });
        await writeFile(
          join(root, 'btcli', 'coldkeypub.txt'),
          JSON.stringify({ accountId: PUBKEY, publicKey: PUBKEY, ss58Address: SS58 }),
        );
        const w = new Wallet({ name: 'btcli', path: root });
        expect(await w.coldkeypub()).toBe(SS58);
        expect(await w.coldkeyIsEncrypted()).toBe(true);
        await expect(w.unlockColdkey()).rejects.toMatchObject({ code: 'PasswordRequired' });
        const pair = await w.unlockColdkey('password');
        expect(pair.address).toBe(SS58);
        await expect(w.unlockColdkey('wrong-password')).rejects.toThrow(
          /wrong password for keyfile .*coldkey/,
        );
      },
      SLOW,
    );

    it(
      'writes an encrypted coldkey btcli can open: $NACL, btwallet fields, mode 0600',
      async () => {
        const w = new Wallet({ name: 'made-here', path: root });
        const created = await w.createColdkey({ password: 'password' });
        const bytes = new Uint8Array(await readFile(w.coldkeyPath));
        expect(keyfileEncoding(bytes)).toBe('nacl');
        expect((await stat(w.coldkeyPath)).mode & 0o777).toBe(0o600);
        expect((await stat(w.coldkeypubPath)).mode & 0o777).toBe(0o600);
        const data = JSON.parse(new TextDecoder().decode(await decryptKeyfile(bytes, 'password', { key })));
        expect(Object.keys(data).sort()).toEqual(
          ['accountId', 'privateKey', 'publicKey', 'secretPhrase', 'secretSeed', 'ss58Address'].sort(),
        );
        expect(data.secretPhrase).toBe(created.mnemonic);
        expect(data.ss58Address).toBe(created.ss58Address);
        const pub = JSON.parse(await readFile(w.coldkeypubPath, 'utf8'));
        expect(pub).toEqual({
          accountId: data.accountId,
          publicKey: data.publicKey,
          ss58Address: data.ss58Address,
        });
      },
      SLOW,
    );
  });
});

describe('wallet layout without passwords (dev keys)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'subnetkit-wallet-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates, lists, shows, regenerates and signs', async () => {
    const w = new Wallet({ name: 'dev', hotkey: 'h1', path: root });
    const ck = await w.createColdkey({ password: null });
    const hk = await w.createHotkey();
    expect(ck.mnemonic?.split(' ')).toHaveLength(12);
    expect((await stat(w.hotkeyPath)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(w.hotkeyPath, 'utf8')).secretPhrase).toBe(hk.mnemonic);
    await expect(w.createHotkey()).rejects.toMatchObject({ code: 'KeyfileExists' });

    const w2 = w.withHotkey('h2');
    await w2.regenHotkey({ seed: SEED });
    expect(await w2.hotkeypub()).toBe(SS58);
    await w.regenColdkey({ mnemonic: PHRASE }, { password: null, overwrite: true });
    expect(await w.coldkeypub()).toBe(SS58);

    const list = await listWallets(root);
    expect(list).toEqual([
      {
        name: 'dev',
        coldkey: SS58,
        hotkeys: [
          { name: 'h1', ss58Address: hk.ss58Address },
          { name: 'h2', ss58Address: SS58 },
        ],
      },
    ]);

    const signed = signMessage(await w2.hotkey(), 'hello subnet');
    expect(signed.ss58).toBe(SS58);
    expect(signatureVerify(stringToU8a('hello subnet'), signed.signature, SS58).isValid).toBe(true);
  });

  it('explains how to create a missing key', async () => {
    const w = new Wallet({ name: 'missing', path: root });
    await expect(w.hotkey()).rejects.toThrow(
      /hotkey not found .*subnetkit wallet create --wallet missing --hotkey default/,
    );
  });
});
