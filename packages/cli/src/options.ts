/**
 * The CLI's one option layer: how every command spells the wallet, the chain and the netuid, and
 * how each of those strings is parsed. btcli's spellings are accepted as hidden aliases.
 */
import { Kind, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { hexToU8a, isHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { MAX_COMMITMENT_BYTES, Wallet, defaultWalletPath } from '@subnetkit/chain';
import { describeSchema } from '@subnetkit/core';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** The wallet every wallet-using command selects. */
export interface WalletFlags {
  wallet: string;
  hotkey: string;
  walletPath: string;
}

/** --chain and --json, as every chain command takes them. */
export interface ChainFlags {
  chain: string;
  json?: boolean;
}

/** An accepted subnet id (u16). Used by the flag parser and by the miner/validator config schemas. */
export const NetuidSchema = Type.Integer({ minimum: 0, maximum: 65_535 });

/**
 * A hidden option that stores its value under another option's key (`--wallet.name` -> `wallet`), so
 * btcli's spellings work without a second code path.
 */
export class AliasOption extends Option {
  readonly #target: string;
  constructor(flags: string, target: string) {
    super(flags);
    this.#target = target;
    this.hideHelp();
  }
  override attributeName(): string {
    return this.#target;
  }
}

/**
 * A commander argument parser that checks a flag's text against a schema: `--netuid x` fails with
 * "--netuid must be an integer between 0 and 65535". The same schemas validate env and config files.
 */
export function schemaArg<T>(flag: string, schema: TSchema): (raw: string) => T {
  const numeric = schema[Kind] === 'Integer' || schema[Kind] === 'Number';
  return (raw: string): T => {
    // Numbers as written: "1.5" is not silently truncated to an integer.
    const value = numeric ? (raw.trim() === '' ? raw : Number(raw)) : Value.Convert(schema, raw);
    if (!Value.Check(schema, value)) {
      throw new InvalidArgumentError(`${flag} must be ${describeSchema(schema)}`);
    }
    return value as T;
  };
}

/** Parses a --netuid value (the one parser every command uses). */
export const parseNetuid = schemaArg<number>('--netuid', NetuidSchema);

/** Parses a --uid value (a u16). */
export const parseUid = schemaArg<number>('--uid', Type.Integer({ minimum: 0, maximum: 65_535 }));

/** Parses a non-negative block number (--block). */
export const parseBlock = schemaArg<number>('--block', Type.Integer({ minimum: 0 }));

/**
 * Parses `--data` of `subnet commit`: `0x`-prefixed text is hex bytes, anything else is committed as its
 * UTF-8 bytes. At most the chain's 512 bytes (commit a hash of larger data).
 */
export function parseCommitmentData(raw: string): Uint8Array {
  let bytes: Uint8Array;
  if (raw.startsWith('0x')) {
    if (!isHex(raw)) {
      throw new InvalidArgumentError(
        `--data ${raw} starts with 0x but is not an even number of hex digits: give hex bytes (0x00ff…) or text without the 0x prefix`,
      );
    }
    bytes = hexToU8a(raw);
  } else {
    bytes = new TextEncoder().encode(raw);
  }
  if (bytes.length > MAX_COMMITMENT_BYTES) {
    throw new InvalidArgumentError(
      `--data is ${bytes.length} bytes; a commitment holds at most ${MAX_COMMITMENT_BYTES}: commit a hash of the data (e.g. its sha256 as 0x…)`,
    );
  }
  return bytes;
}

/** Help lines of the wallet options, shared by the commands and the miner/validator config keys. */
export const WALLET_HELP = {
  wallet: 'wallet name (directory under --wallet-path)',
  hotkey: 'hotkey name inside the wallet',
  walletPath: 'wallet root directory (btcli layout)',
} as const;

/** The btcli spellings each wallet option also accepts. */
export const WALLET_ALIASES = {
  wallet: ['--wallet.name'],
  hotkey: ['--wallet.hotkey'],
  walletPath: ['--wallet.path'],
} as const;

/** Adds the hidden btcli aliases of --wallet/--hotkey/--wallet-path (and `--name` when asked). */
export function addWalletAliases(cmd: Command, opts: { name?: boolean } = {}): Command {
  for (const [key, flags] of Object.entries(WALLET_ALIASES)) {
    for (const flag of flags) cmd.addOption(new AliasOption(`${flag} <value>`, key));
  }
  if (opts.name) cmd.addOption(new AliasOption('--name <wallet>', 'wallet'));
  return cmd;
}

/**
 * Adds `--wallet <name> --hotkey <name> --wallet-path <dir>` (with btcli's `--wallet.name`,
 * `--wallet.hotkey`, `--wallet.path` as aliases; `name: true` also accepts `--name`).
 */
export function withWalletOptions(cmd: Command, opts: { name?: boolean; hotkeyHelp?: string } = {}): Command {
  cmd
    .option('--wallet <name>', WALLET_HELP.wallet, 'default')
    .option('--hotkey <name>', opts.hotkeyHelp ?? WALLET_HELP.hotkey, 'default')
    .option('--wallet-path <dir>', WALLET_HELP.walletPath, defaultWalletPath());
  return addWalletAliases(cmd, opts);
}

/** Adds --wallet-path alone (with its btcli alias), for commands that read every wallet. */
export function withWalletPathOption(cmd: Command): Command {
  return cmd
    .option('--wallet-path <dir>', WALLET_HELP.walletPath, defaultWalletPath())
    .addOption(new AliasOption('--wallet.path <dir>', 'walletPath'));
}

/** Adds --chain and --json. */
export function withChainOptions(cmd: Command): Command {
  return cmd
    .option('--chain <url|local|test|finney>', 'chain WebSocket URL or network name', 'local')
    .option('--json', 'print JSON instead of a table');
}

/** Adds a required `--netuid <n>` parsed by {@link parseNetuid}. */
export function withNetuidOption(cmd: Command, help = 'subnet id'): Command {
  return cmd.requiredOption('--netuid <n>', help, parseNetuid);
}

/** The wallet selected by the flags. */
export function walletFrom(o: WalletFlags): Wallet {
  return new Wallet({ name: o.wallet, hotkey: o.hotkey, path: o.walletPath });
}

/** Checks an SS58 address given to `flag`; returns it unchanged. */
export function checkSs58(flag: string, value: string): string {
  try {
    decodeAddress(value);
    return value;
  } catch {
    throw new Error(
      `invalid ${flag} ${value}: expected an SS58 address like 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY`,
    );
  }
}
