/**
 * Unlocking keys from the terminal: passwords from `SUBNETKIT_PASSWORD` or a hidden prompt, the
 * coldkey of a wallet command, and the hotkey a miner or validator signs with.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { KeyringPair, Wallet } from '@subnetkit/chain';
import { fixCommand } from '@subnetkit/core';
import { type WalletFlags, walletFrom } from './options.js';

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const muted = new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
  process.stderr.write(question);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/**
 * A password from `SUBNETKIT_PASSWORD` when set, else from a hidden prompt (twice when `confirm`).
 * Fails clearly when neither is possible.
 */
export async function readPassword(what: string, confirm = false): Promise<string> {
  const env = process.env.SUBNETKIT_PASSWORD;
  if (env !== undefined) return env;
  if (!process.stdin.isTTY) {
    throw new Error(`${what} needs a password: set SUBNETKIT_PASSWORD or run in a terminal`);
  }
  const pw = await promptHidden(`Password for ${what}: `);
  if (confirm && (await promptHidden('Repeat password: ')) !== pw)
    throw new Error('passwords do not match; try again');
  return pw;
}

/** Unlocks the coldkey, asking for the password only when the keyfile is encrypted. */
export async function unlockColdkey(w: Wallet): Promise<KeyringPair> {
  if (!(await w.coldkeyIsEncrypted())) return w.unlockColdkey();
  return w.unlockColdkey(await readPassword(`coldkey of wallet ${w.name}`));
}

/** Loads the hotkey, asking for a password only when it was written encrypted. */
export async function loadHotkey(w: Wallet): Promise<KeyringPair> {
  if (!(await w.hotkeyIsEncrypted())) return w.hotkey();
  return w.hotkey(await readPassword(`hotkey ${w.hotkeyName} of wallet ${w.name}`));
}

/**
 * Load the hotkey a miner or validator signs with from a btcli-layout wallet (an encrypted hotkey
 * is unlocked with SUBNETKIT_PASSWORD or a prompt). A failure names the wallet, the path and the fix.
 */
export async function loadServiceHotkey(flags: WalletFlags): Promise<KeyringPair> {
  try {
    return await loadHotkey(walletFrom(flags));
  } catch (err) {
    const create = fixCommand('wallet create', {
      '--wallet': flags.wallet,
      '--hotkey': flags.hotkey,
      '--wallet-path': flags.walletPath,
    });
    throw new Error(
      `cannot load hotkey ${flags.hotkey} of wallet ${flags.wallet} under ${flags.walletPath}: ${(err as Error).message} ` +
        `(create it with: ${create})`,
    );
  }
}
