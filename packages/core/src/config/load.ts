import type { Static, TObject } from '@sinclair/typebox';
import { readConfigFile } from './file.js';
import { resolveConfig } from './resolve.js';

/** Where `loadConfig` reads configuration from; later entries in this list win over earlier ones. */
export interface ConfigSources {
  /** Program-supplied defaults (above the schema's own `default`s). */
  defaults?: Record<string, unknown>;
  /** Path of a config file: YAML when it ends in `.yaml`/`.yml`, JSON otherwise. */
  file?: string;
  /** Environment, usually `process.env`. */
  env?: Record<string, string | undefined>;
  /** Env var prefix, e.g. `SUBNETKIT_`; nested keys are joined with `__` (`SUBNETKIT_CHAIN__WS_URL`). */
  envPrefix?: string;
  /** Parsed CLI flags (highest precedence). */
  flags?: Record<string, unknown>;
}

/**
 * Loads typed configuration: reads `sources.file` (YAML or JSON) if given, then merges with precedence
 * flags > env > file > defaults > schema defaults, coerces env/flag strings, applies defaults, validates.
 *
 * @throws ConfigError listing every problem as `<key>: got <value> (from <source>), expected <form>`.
 * @example
 * const Schema = Type.Object({ netuid: Type.Integer({ minimum: 1 }), port: Type.Integer({ default: 8091 }) });
 * const config = loadConfig(Schema, { file: 'subnet.json', env: process.env, envPrefix: 'SUBNETKIT_' });
 */
export function loadConfig<T extends TObject>(schema: T, sources: ConfigSources = {}): Static<T> {
  const { file, ...rest } = sources;
  return resolveConfig(schema, { ...rest, ...(file !== undefined ? { file: readConfigFile(file) } : {}) })
    .config;
}
