/**
 * `subnetkit wallet create|list|show|regen|sign`: btcli-compatible wallets. Also the helpers the chain
 * commands share (wallet options, password input, --chain, JSON/table output).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import {
  type KeyringPair,
  type SubtensorClient,
  Wallet,
  WalletError,
  connect,
  defaultWalletPath,
  listWallets,
  signMessage,
} from '@subnetkit/chain';
import type { Command } from 'commander';

/** Options every wallet-using command accepts. */
export interface WalletFlags {
  name: string;
  hotkey: string;
  walletPath: string;
  password: boolean;
}

/** Adds --name, --hotkey, --wallet-path to a command. */
export function withWalletOptions(cmd: Command): Command {
  return cmd
    .option('--name <wallet>', 'wallet name', 'default')
    .option('--hotkey <name>', 'hotkey name', 'default')
    .option('--wallet-path <dir>', 'wallet root directory', defaultWalletPath());
}

/** Adds --chain and --json. */
export function withChainOptions(cmd: Command): Command {
  return cmd
    .option('--chain <url|local|test|finney>', 'chain WebSocket URL or network name', 'local')
    .option('--json', 'print JSON instead of a table');
}

/** The wallet selected by the flags. */
export function walletFrom(o: { name: string; hotkey: string; walletPath: string }): Wallet {
  return new Wallet({ name: o.name, hotkey: o.hotkey, path: o.walletPath });
}

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

/** Connects, runs `fn`, and always closes the connection. */
export async function withClient<T>(chain: string, fn: (c: SubtensorClient) => Promise<T>): Promise<T> {
  const client = await connect(chain);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** JSON with bigint support. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** Prints rows as an aligned text table. */
export function printTable(headers: string[], rows: (string | number | boolean)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const [j, r] of cells.entries()) {
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
    if (j === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** Prints JSON or a key/value table. */
export function printResult(json: boolean | undefined, value: Record<string, unknown>): void {
  if (json) {
    console.log(toJson(value));
    return;
  }
  printTable(
    ['field', 'value'],
    Object.entries(value).map(([k, v]) => [k, typeof v === 'object' && v !== null ? toJson(v) : String(v)]),
  );
}

interface CreateFlags extends WalletFlags {
  words: string;
  overwrite?: boolean;
  json?: boolean;
}

interface RegenFlags extends WalletFlags {
  key: string;
  mnemonic?: string;
  seed?: string;
  ss58?: string;
  overwrite?: boolean;
  json?: boolean;
}

interface SignFlags extends WalletFlags {
  coldkey?: boolean;
  message: string;
  json?: boolean;
}

/** Registers `subnetkit wallet …`. */
export function registerWalletCommand(program: Command): void {
  const wallet = program.command('wallet').description('create and manage btcli-compatible wallets');

  withWalletOptions(wallet.command('create'))
    .description('create a coldkey (if missing) and a hotkey, each from a new mnemonic')
    .option('--no-password', 'do not encrypt the coldkey (development keys only)')
    .option('--words <n>', 'mnemonic length: 12, 15, 18, 21 or 24', '12')
    .option('--overwrite', 'replace existing keyfiles')
    .option('--json', 'print JSON')
    .action(async (o: CreateFlags) => {
      const w = walletFrom(o);
      const words = Number(o.words) as 12 | 15 | 18 | 21 | 24;
      if (![12, 15, 18, 21, 24].includes(words)) throw new Error('--words must be 12, 15, 18, 21 or 24');
      const out: Record<string, unknown> = { wallet: w.name, path: w.dir };
      const hasColdkey = await w.coldkeypub().then(
        () => true,
        () => false,
      );
      if (!hasColdkey || o.overwrite) {
        const password = o.password ? await readPassword(`new coldkey of wallet ${w.name}`, true) : null;
        const ck = await w.createColdkey({ password, words, overwrite: o.overwrite ?? false });
        out.coldkey = ck.ss58Address;
        out.coldkeyMnemonic = ck.mnemonic;
        out.coldkeyEncrypted = password !== null;
      } else {
        out.coldkey = await w.coldkeypub();
      }
      const hk = await w.createHotkey({ words, overwrite: o.overwrite ?? false });
      out.hotkeyName = w.hotkeyName;
      out.hotkey = hk.ss58Address;
      out.hotkeyMnemonic = hk.mnemonic;
      if (!o.json) {
        console.error(
          'Write the mnemonics down and keep them secret: they are the only way to restore the keys.',
        );
      }
      printResult(o.json, out);
    });

  wallet
    .command('list')
    .description('list wallets and their public addresses')
    .option('--wallet-path <dir>', 'wallet root directory', defaultWalletPath())
    .option('--json', 'print JSON')
    .action(async (o: { walletPath: string; json?: boolean }) => {
      const all = await listWallets(o.walletPath);
      if (o.json) {
        console.log(toJson(all));
        return;
      }
      const rows: string[][] = [];
      for (const w of all) {
        rows.push([w.name, 'coldkey', '', w.coldkey ?? '(missing)']);
        for (const h of w.hotkeys) rows.push([w.name, 'hotkey', h.name, h.ss58Address ?? '(unreadable)']);
      }
      if (rows.length === 0)
        console.log(`no wallets under ${o.walletPath}; create one with \`subnetkit wallet create\``);
      else printTable(['wallet', 'key', 'hotkey', 'ss58'], rows);
    });

  withWalletOptions(wallet.command('show'))
    .description('show a wallet’s coldkey and hotkeys (public data only)')
    .option('--json', 'print JSON')
    .action(async (o: WalletFlags & { json?: boolean }) => {
      const s = await walletFrom(o).show();
      if (o.json) console.log(toJson(s));
      else
        printTable(
          ['key', 'name', 'ss58'],
          [
            ['coldkey', s.name, s.coldkey ?? '(missing)'],
            ...s.hotkeys.map((h) => ['hotkey', h.name, h.ss58Address ?? '(unreadable)']),
          ],
        );
    });

  withWalletOptions(wallet.command('regen'))
    .description('restore a key from its mnemonic or seed (or coldkeypub from an SS58 address)')
    .option('--key <which>', 'coldkey, hotkey or coldkeypub', 'coldkey')
    .option('--mnemonic <words>', 'the BIP-39 mnemonic')
    .option('--seed <hex>', 'the 32-byte seed as 0x hex')
    .option('--ss58 <address>', 'the coldkey address (for --key coldkeypub)')
    .option('--no-password', 'do not encrypt the coldkey (development keys only)')
    .option('--overwrite', 'replace existing keyfiles')
    .option('--json', 'print JSON')
    .action(async (o: RegenFlags) => {
      const w = walletFrom(o);
      const overwrite = o.overwrite ?? false;
      let ss58: string;
      if (o.key === 'coldkeypub') {
        if (!o.ss58) throw new Error('--key coldkeypub needs --ss58 <address>');
        ss58 = (await w.regenColdkeypub(o.ss58, { overwrite })).ss58Address;
      } else {
        const source = o.mnemonic ? { mnemonic: o.mnemonic } : o.seed ? { seed: o.seed } : undefined;
        if (!source) throw new Error('pass --mnemonic "<words>" or --seed 0x…');
        if (o.key === 'coldkey') {
          const password = o.password ? await readPassword(`coldkey of wallet ${w.name}`, true) : null;
          ss58 = (await w.regenColdkey(source, { password, overwrite })).ss58Address;
        } else if (o.key === 'hotkey') {
          ss58 = (await w.regenHotkey(source, { overwrite })).ss58Address;
        } else throw new Error('--key must be coldkey, hotkey or coldkeypub');
      }
      printResult(o.json, { wallet: w.name, key: o.key, ss58 });
    });

  withWalletOptions(wallet.command('sign'))
    .description('sign a message with the hotkey (default) or the coldkey')
    .option('--coldkey', 'sign with the coldkey instead of the hotkey')
    .requiredOption('--message <text>', 'the message to sign (UTF-8)')
    .option('--json', 'print JSON')
    .action(async (o: SignFlags) => {
      const w = walletFrom(o);
      const pair = o.coldkey ? await unlockColdkey(w) : await loadHotkey(w);
      const signed = signMessage(pair, o.message);
      if (o.json) console.log(JSON.stringify(signed));
      else printResult(false, signed);
    });
}

export { WalletError };
