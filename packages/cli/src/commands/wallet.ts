/**
 * `subnetkit wallet create|list|show|regen|sign|balance|transfer`: btcli-compatible wallets, and TAO
 * balances and transfers of their coldkeys.
 */
import { listWallets, signMessage } from '@subnetkit/chain';
import { raoToTao, taoToRao } from '@subnetkit/core';
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { loadHotkey, readPassword, unlockColdkey } from '../keys.js';
import {
  type ChainFlags,
  checkSs58,
  type WalletFlags,
  walletFrom,
  withChainOptions,
  withWalletOptions,
  withWalletPathOption,
} from '../options.js';
import { printResult, printTable, toJson } from '../output.js';

interface CreateFlags extends WalletFlags {
  password: boolean;
  words: string;
  overwrite?: boolean;
  json?: boolean;
}

interface RegenFlags extends WalletFlags {
  password: boolean;
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

  withWalletOptions(wallet.command('create'), { name: true })
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

  withWalletPathOption(wallet.command('list'))
    .description('list wallets and their public addresses')
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

  withWalletOptions(wallet.command('show'), { name: true })
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

  withWalletOptions(wallet.command('regen'), { name: true })
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

  withWalletOptions(wallet.command('sign'), { name: true })
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

  withChainOptions(withWalletOptions(wallet.command('balance'), { name: true }))
    .description("show the free TAO balance of the wallet's coldkey (or of --ss58)")
    .option('--ss58 <address>', 'show this address instead of the wallet coldkey')
    .action(async (o: WalletFlags & ChainFlags & { ss58?: string }) => {
      const address = o.ss58 ? checkSs58('--ss58', o.ss58) : await walletFrom(o).coldkeypub();
      const free = await withClient(o.chain, (c) => c.balance(address));
      printResult(o.json, { address, free: raoToTao(free), freeRao: free });
    });

  withChainOptions(withWalletOptions(wallet.command('transfer'), { name: true }))
    .description("transfer TAO from the wallet's coldkey to another address (keep-alive, as btcli)")
    .requiredOption('--dest <ss58>', 'the receiving address')
    .requiredOption('--amount <tao>', 'TAO to send, e.g. 1.5')
    .action(async (o: WalletFlags & ChainFlags & { dest: string; amount: string }) => {
      const dest = checkSs58('--dest', o.dest);
      const amountRao = taoToRao(o.amount);
      const coldkey = await unlockColdkey(walletFrom(o));
      const out = await withClient(o.chain, async (c) => {
        const r = await c.transfer(coldkey, dest, amountRao);
        return { ...r, from: await c.balance(coldkey.address), to: await c.balance(dest) };
      });
      printResult(o.json, {
        from: coldkey.address,
        dest,
        amount: raoToTao(amountRao),
        fromBalance: raoToTao(out.from),
        destBalance: raoToTao(out.to),
        block: out.blockNumber,
        txHash: out.txHash,
      });
    });
}
