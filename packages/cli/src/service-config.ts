/**
 * Options of the long-running services (`subnetkit miner`, `subnetkit validator`), defined once as a
 * table: each key has its flag, its help line and a TypeBox schema (type, bounds, default). The table
 * makes the commander options, the config schema and the docs, and `resolveServiceConfig` merges
 * flags > SUBNETKIT_* env > --config file (YAML or JSON) > defaults with @subnetkit/core's config,
 * so every error names the key, the value and where it came from.
 */
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import { defaultWalletPath } from '@subnetkit/chain';
import { envVarName, loadConfig } from '@subnetkit/core';
import { type Command, Option } from 'commander';
import { NetuidSchema, WALLET_HELP, addWalletAliases, schemaArg } from './options.js';

/** Prefix of the environment variables that configure a service (`SUBNETKIT_NETUID`). */
export const ENV_PREFIX = 'SUBNETKIT_';

/** Env variable naming the config file when --config is not given. */
export const CONFIG_ENV = `${ENV_PREFIX}CONFIG`;

/** One configuration key of a service. */
export interface ServiceOption {
  /** Flag spelling with its placeholder, e.g. `--netuid <n>`; a flag without one is a boolean. */
  flag: string;
  help: string;
  schema: TSchema;
  /** A comma-separated, repeatable list flag (`--allow a,b --allow c`). */
  list?: boolean;
}

/** The keys of a service: config key (camelCase) -> option. */
export type ServiceOptions = Record<string, ServiceOption>;

/** `--chain`, as every service spells it. */
export const CHAIN_SERVICE_OPTION = {
  flag: '--chain <ws url>',
  help: 'chain endpoint: ws:// URL or local|test|finney',
  schema: Type.String({ default: 'local' }),
} satisfies ServiceOption;

/** Keys every service has: the plugin, the subnet, the wallet, the chain. */
export function commonServiceOptions(what: { netuid: string; hotkey: string }) {
  return {
    subnet: {
      flag: '--subnet <package or path>',
      help: 'subnet plugin: a package name (@subnetkit/subnet-echo), a built-in short name (echo) or a path to a built .js module',
      schema: Type.String({ minLength: 1 }),
    },
    netuid: { flag: '--netuid <n>', help: what.netuid, schema: NetuidSchema },
    wallet: {
      flag: '--wallet <name>',
      help: WALLET_HELP.wallet,
      schema: Type.String({ default: 'default' }),
    },
    hotkey: { flag: '--hotkey <name>', help: what.hotkey, schema: Type.String({ default: 'default' }) },
    walletPath: {
      flag: '--wallet-path <dir>',
      help: WALLET_HELP.walletPath,
      schema: Type.String({ default: defaultWalletPath() }),
    },
    chain: CHAIN_SERVICE_OPTION,
  } satisfies ServiceOptions;
}

/** The config schema type of an options table. */
export type ServiceSchema<O extends ServiceOptions> = TObject<{ [K in keyof O]: O[K]['schema'] }>;

/** The resolved configuration of an options table. */
export type ServiceConfig<O extends ServiceOptions> = Static<ServiceSchema<O>>;

/**
 * The config schema of a service's options (required unless they have a default or are optional).
 * `otherKeys: true` lets a config file carry keys of a wider table (a subcommand reading the service's
 * file for a few of its keys).
 */
export function serviceSchema<O extends ServiceOptions>(
  options: O,
  opts: { otherKeys?: boolean } = {},
): ServiceSchema<O> {
  const properties = Object.fromEntries(Object.entries(options).map(([key, o]) => [key, o.schema]));
  return Type.Object(properties, { additionalProperties: !!opts.otherKeys }) as unknown as ServiceSchema<O>;
}

function flagName(flag: string): string {
  return flag.split(/\s/)[0] as string;
}

function listParser(flag: string, schema: TSchema) {
  const item = schemaArg<string>(flag, (schema.items as TSchema | undefined) ?? Type.String());
  return (value: string, previous: string[] = []): string[] => [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(item),
  ];
}

/**
 * Adds every option of the table to `cmd` (parsed and checked by its schema; defaults shown in the
 * help), the wallet's btcli aliases (unless `wallet: false`), and `--config <file>`.
 */
export function addServiceOptions(
  cmd: Command,
  options: ServiceOptions,
  opts: { wallet?: boolean } = {},
): Command {
  for (const [key, o] of Object.entries(options)) {
    const option = new Option(o.flag, o.help);
    const name = flagName(o.flag);
    if (option.attributeName() !== key)
      throw new Error(`service option ${o.flag} must be spelled for ${key}`);
    if (o.list) option.argParser(listParser(name, o.schema));
    else if (o.flag.includes('<')) option.argParser(schemaArg(name, o.schema));
    const def = o.schema.default;
    if (def !== undefined && def !== false && !(Array.isArray(def) && def.length === 0)) option.default(def);
    cmd.addOption(option);
  }
  if (opts.wallet !== false) addWalletAliases(cmd);
  return cmd.option(
    '--config <file>',
    `read settings from a YAML (.yaml/.yml) or JSON file (or $${CONFIG_ENV}); flags and ${ENV_PREFIX}* variables win over it`,
  );
}

/**
 * The service's configuration from flags given on the command line, `SUBNETKIT_*` environment
 * variables and the config file, over the schema defaults. Throws a ConfigError naming each bad key,
 * its value and its source.
 */
export function resolveServiceConfig<O extends ServiceOptions>(
  cmd: Command,
  options: O,
  env: Record<string, string | undefined> = process.env,
  opts: { otherKeys?: boolean } = {},
): ServiceConfig<O> {
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (cmd.getOptionValueSource(key) === 'cli') given[key] = cmd.getOptionValue(key);
  }
  const file = (cmd.getOptionValue('config') as string | undefined) ?? env[CONFIG_ENV];
  return loadConfig(serviceSchema(options, opts), {
    ...(file ? { file } : {}),
    env,
    envPrefix: ENV_PREFIX,
    flags: given,
  });
}

/** Rows for docs and help: key, flag, env variable, default. */
export function describeServiceOptions(
  options: ServiceOptions,
): { key: string; flag: string; env: string; default: unknown; help: string }[] {
  return Object.entries(options).map(([key, o]) => ({
    key,
    flag: flagName(o.flag),
    env: envVarName(ENV_PREFIX, [key]),
    default: o.schema.default,
    help: o.help,
  }));
}
