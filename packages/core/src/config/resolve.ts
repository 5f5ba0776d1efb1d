import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describeSchema } from './describe.js';
import { ConfigError, type ConfigProblem, showValue } from './errors.js';
import { envVarName, nearestKey, toCamelCase } from './keys.js';
import {
  allDottedPaths,
  allowsExtraKeys,
  isObjectSchema,
  isPlainObject,
  leafPaths,
  schemaAt,
} from './schema-walk.js';

/** A configuration file already read and parsed (see `readConfigFile`). */
export interface ParsedConfigFile {
  /** Path shown in error messages. */
  path: string;
  /** Parsed JSON content; must be an object. */
  data: Record<string, unknown>;
}

/** Inputs of {@link resolveConfig}: every source already in memory (no I/O). */
export interface ResolveConfigInput {
  /** Lowest-precedence values supplied by the program (above the schema's own `default`s). */
  defaults?: Record<string, unknown>;
  /** A parsed JSON config file. */
  file?: ParsedConfigFile;
  /** Environment variables, usually `process.env`. Only names derived from the schema are read. */
  env?: Record<string, string | undefined>;
  /** Prefix of env var names, e.g. `SUBNETKIT_` -> `SUBNETKIT_CHAIN__WS_URL` for `chain.wsUrl`. */
  envPrefix?: string;
  /** Highest-precedence values, e.g. parsed CLI flags. Keys may be nested objects, `a.b` or kebab-case. */
  flags?: Record<string, unknown>;
}

/** Result of {@link resolveConfig}: the typed value and where each leaf came from. */
export interface ResolvedConfig<T extends TObject> {
  /** The validated configuration. */
  config: Static<T>;
  /** Dotted key -> human source (`flags`, `env SUBNETKIT_NETUID`, `file ./c.json`, `defaults`, `schema default`). */
  origins: Record<string, string>;
}

/**
 * Merges configuration sources with precedence flags > env > file > defaults > schema defaults, coerces
 * env/flag strings to the schema's number/integer/boolean types (`Value.Convert`), applies schema
 * defaults and validates. Pure: the file must already be parsed.
 *
 * Throws {@link ConfigError} listing every problem (invalid values, missing required keys, unknown keys in
 * the file, flags or defaults with the nearest valid key).
 */
export function resolveConfig<T extends TObject>(schema: T, input: ResolveConfigInput): ResolvedConfig<T> {
  const problems: ConfigProblem[] = [];
  const origins = new Map<string, string>();
  const prefix = input.envPrefix ?? '';
  let merged: Record<string, unknown> = {};

  const layer = (data: Record<string, unknown> | undefined, source: string, checkUnknown: boolean) => {
    if (!data) return;
    if (checkUnknown) problems.push(...unknownKeys(schema, data, [], source));
    merged = mergeInto(merged, data, [], source, origins);
  };

  layer(input.defaults, 'defaults', true);
  if (input.file) layer(input.file.data, `file ${input.file.path}`, true);
  if (input.env) {
    for (const path of leafPaths(schema)) {
      const name = envVarName(prefix, path);
      const raw = input.env[name];
      if (raw === undefined) continue;
      const parsed = parseEnvValue(raw, schemaAt(schema, path));
      // Numbers are already typed (Convert would truncate 1.5 to 1 for an integer key).
      const leaf = (
        typeof parsed === 'number' ? nest(path, parsed) : Value.Convert(schema, nest(path, parsed))
      ) as Record<string, unknown>;
      merged = mergeInto(merged, leaf, [], `env ${name}`, origins);
    }
  }
  if (input.flags) {
    const flags = normalizeFlags(input.flags, schema);
    problems.push(...unknownKeys(schema, flags, [], 'flags'));
    layer(Value.Convert(schema, flags) as Record<string, unknown>, 'flags', false);
  }

  ensureNestedObjects(schema, merged);
  const withDefaults = Value.Default(schema, merged) as Record<string, unknown>;

  const seen = new Set<string>(problems.map((p) => p.key));
  for (const error of Value.Errors(schema, withDefaults)) {
    const path = error.path.split('/').filter(Boolean).map(unescapePointer);
    const key = path.join('.');
    if (seen.has(key)) continue;
    seen.add(key);
    const at = schemaAt(schema, path) ?? error.schema;
    const expected = describeSchema(at);
    const source = originOf(origins, path) ?? missingSource(path, prefix);
    problems.push({
      key,
      value: error.value,
      source,
      expected,
      message: `${key || '(root)'}: got ${showValue(error.value)} (from ${source}), expected ${expected}`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const originRecord: Record<string, string> = {};
  for (const path of leafPaths(schema)) {
    if (getPath(withDefaults, path) === undefined) continue;
    originRecord[path.join('.')] = originOf(origins, path) ?? 'schema default';
  }
  return { config: orderLikeSchema(schema, withDefaults) as Static<T>, origins: originRecord };
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function missingSource(path: string[], prefix: string): string {
  return `not set; use --${path.join('.')}, ${envVarName(prefix, path)} or "${path.join('.')}" in the config file`;
}

function originOf(origins: Map<string, string>, path: readonly string[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const found = origins.get(path.slice(0, n).join('.'));
    if (found) return found;
  }
  return undefined;
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let current = obj;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i] as string]: out };
  return out as Record<string, unknown>;
}

// Arrays and objects can be given in env as JSON; arrays also as comma-separated text.
function parseEnvValue(raw: string, schema: TSchema | undefined): unknown {
  const kind = schema?.[Kind];
  const text = raw.trim();
  // A number as written ("1.5" stays 1.5, so an integer key rejects it instead of truncating to 1).
  if ((kind === 'Integer' || kind === 'Number') && text !== '' && Number.isFinite(Number(text))) {
    return Number(text);
  }
  if (kind === 'Array') {
    if (text.startsWith('[')) return tryJson(text) ?? raw;
    return text === '' ? [] : text.split(',').map((s) => s.trim());
  }
  if ((kind === 'Object' || kind === 'Record') && text.startsWith('{')) return tryJson(text) ?? raw;
  return raw;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// `{ 'chain.ws-url': x }` and `{ chain: { wsUrl: x } }` both become `{ chain: { wsUrl: x } }`; undefined dropped.
// A key the schema declares verbatim (even snake_case) is kept as is.
function normalizeFlags(
  flags: Record<string, unknown>,
  schema: TSchema | undefined,
): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const path: string[] = [];
    let level = schema;
    for (const segment of rawKey.split('.')) {
      const declared = isObjectSchema(level) && Object.hasOwn(level.properties, segment);
      const key = declared ? segment : toCamelCase(segment);
      path.push(key);
      level =
        isObjectSchema(level) && Object.hasOwn(level.properties, key) ? level.properties[key] : undefined;
    }
    const normalized = isPlainObject(value) ? normalizeFlags(value, level) : value;
    out = mergeInto(out, nest(path, normalized), [], 'flags', new Map());
  }
  return out;
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  path: string[],
  origin: string,
  origins: Map<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const childPath = [...path, key];
    const existing = out[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      out[key] = mergeInto(existing, value, childPath, origin, origins);
    } else {
      // Copies, so defaulting never writes into the caller's objects.
      out[key] = isPlainObject(value)
        ? mergeInto({}, value, childPath, origin, origins)
        : Array.isArray(value)
          ? structuredClone(value)
          : value;
      // A later source replacing a whole subtree owns every key under it.
      for (const k of [...origins.keys()]) if (k.startsWith(`${childPath.join('.')}.`)) origins.delete(k);
    }
    origins.set(childPath.join('.'), origin);
  }
  return out;
}

// Create `{}` for required nested objects so their own property defaults apply and missing keys are
// reported by their full path ("chain.url") rather than as a missing "chain".
function ensureNestedObjects(schema: TObject, value: Record<string, unknown>): void {
  const required = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties)) {
    if (!isObjectSchema(child)) continue;
    if (value[key] === undefined && required.has(key)) value[key] = {};
    const nested = value[key];
    if (isPlainObject(nested)) ensureNestedObjects(child, nested);
  }
}

function unknownKeys(
  schema: TSchema,
  data: Record<string, unknown>,
  path: string[],
  source: string,
): ConfigProblem[] {
  if (!isObjectSchema(schema) || allowsExtraKeys(schema)) return [];
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(data)) {
    const childPath = [...path, key];
    const child = Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (child === undefined) {
      const dotted = childPath.join('.');
      const siblings = Object.keys(schema.properties).map((k) => [...path, k].join('.'));
      const suggestion = nearestKey(dotted, siblings.length > 0 ? siblings : allDottedPaths(schema));
      const hint = suggestion ? `did you mean "${suggestion}"?` : 'this schema has no keys here';
      problems.push({
        key: dotted,
        value,
        source,
        expected: suggestion ? `a known key such as "${suggestion}"` : 'no key here',
        message: `${dotted}: unknown key (from ${source}), ${hint}`,
      });
    } else if (isPlainObject(value)) {
      problems.push(...unknownKeys(child, value, childPath, source));
    }
  }
  return problems;
}

// Keys in schema order (then any extra keys), so printed configs read like the schema.
function orderLikeSchema(schema: TSchema, value: unknown): unknown {
  if (!isObjectSchema(schema) || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(schema.properties)) {
    if (Object.hasOwn(value, key)) out[key] = orderLikeSchema(child, value[key]);
  }
  for (const [key, v] of Object.entries(value)) if (!Object.hasOwn(out, key)) out[key] = v;
  return out;
}
