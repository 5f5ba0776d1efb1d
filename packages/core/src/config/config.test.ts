import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSchema } from './describe.js';
import { ConfigError } from './errors.js';
import { camelToUpperSnake, envVarName } from './keys.js';
import { loadConfig } from './load.js';
import { resolveConfig } from './resolve.js';
import { UrlString } from './types.js';

const Schema = Type.Object({
  netuid: Type.Integer({ minimum: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 8091 }),
  debug: Type.Boolean({ default: false }),
  blockTime: Type.Union([Type.Literal('instant'), Type.Integer({ minimum: 1, title: 'ms' })], {
    default: 'instant',
  }),
  chain: Type.Object({
    wsUrl: UrlString(['ws', 'wss'], { default: 'ws://127.0.0.1:9944' }),
    maxRetries: Type.Integer({ minimum: 0, default: 3 }),
  }),
  tags: Type.Array(Type.String(), { default: [] }),
  logLevel: Type.Optional(Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn')])),
});

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.message);
    throw err;
  }
  return ['no error'];
};

describe('resolveConfig precedence and defaults', () => {
  it('applies schema defaults when nothing else is set', () => {
    const { config, origins } = resolveConfig(Schema, { flags: { netuid: 2 } });
    expect(config).toEqual({
      netuid: 2,
      port: 8091,
      debug: false,
      blockTime: 'instant',
      chain: { wsUrl: 'ws://127.0.0.1:9944', maxRetries: 3 },
      tags: [],
    });
    expect(Object.keys(config)).toEqual(['netuid', 'port', 'debug', 'blockTime', 'chain', 'tags']);
    expect(origins.netuid).toBe('flags');
    expect(origins.port).toBe('schema default');
    expect(origins['chain.wsUrl']).toBe('schema default');
  });

  it('uses flags > env > file > defaults', () => {
    const input = {
      defaults: { netuid: 1, port: 1000, chain: { maxRetries: 9 } },
      file: { path: 'c.json', data: { netuid: 2, port: 2000, debug: true } },
      env: { SUBNETKIT_NETUID: '3', SUBNETKIT_PORT: '3000' },
      envPrefix: 'SUBNETKIT_',
      flags: { netuid: 4 },
    };
    const { config, origins } = resolveConfig(Schema, input);
    expect(config.netuid).toBe(4);
    expect(config.port).toBe(3000);
    expect(config.debug).toBe(true);
    expect(config.chain.maxRetries).toBe(9);
    expect(origins).toMatchObject({
      netuid: 'flags',
      port: 'env SUBNETKIT_PORT',
      debug: 'file c.json',
      'chain.maxRetries': 'defaults',
    });
    // Without the flag, env wins over the file; without env, the file wins over defaults.
    expect(resolveConfig(Schema, { ...input, flags: {} }).config.netuid).toBe(3);
    expect(resolveConfig(Schema, { ...input, flags: {}, env: {} }).config.netuid).toBe(2);
  });

  it('does not modify the objects it is given', () => {
    const defaults = { netuid: 1, tags: ['a'], chain: { maxRetries: 1 } };
    const before = structuredClone(defaults);
    resolveConfig(Schema, { defaults, flags: { port: 1 } });
    expect(defaults).toEqual(before);
  });

  it('merges nested objects key by key', () => {
    const { config } = resolveConfig(Schema, {
      file: { path: 'c.json', data: { netuid: 1, chain: { wsUrl: 'wss://rpc.example:443' } } },
      flags: { 'chain.max-retries': '5' },
    });
    expect(config.chain).toEqual({ wsUrl: 'wss://rpc.example:443', maxRetries: 5 });
  });
});

describe('coercion from env and flags', () => {
  it('maps nested camelCase keys to UPPER_SNAKE env vars joined by __', () => {
    expect(camelToUpperSnake('maxWeightLimit')).toBe('MAX_WEIGHT_LIMIT');
    expect(camelToUpperSnake('http2Port')).toBe('HTTP2_PORT');
    expect(envVarName('SUBNETKIT_', ['chain', 'wsUrl'])).toBe('SUBNETKIT_CHAIN__WS_URL');
  });

  it('converts env strings to integers, booleans, unions and lists', () => {
    const { config } = resolveConfig(Schema, {
      envPrefix: 'SUBNETKIT_',
      env: {
        SUBNETKIT_NETUID: '7',
        SUBNETKIT_DEBUG: 'true',
        SUBNETKIT_BLOCK_TIME: '250',
        SUBNETKIT_CHAIN__WS_URL: 'wss://x.example',
        SUBNETKIT_CHAIN__MAX_RETRIES: '0',
        SUBNETKIT_TAGS: 'a, b',
        NETUID: '99',
      },
    });
    expect(config).toMatchObject({ netuid: 7, debug: true, blockTime: 250, tags: ['a', 'b'] });
    expect(config.chain).toEqual({ wsUrl: 'wss://x.example', maxRetries: 0 });
    const instant = resolveConfig(Schema, {
      env: { NETUID: '1', BLOCK_TIME: 'instant', TAGS: '["x"]' },
    }).config;
    expect(instant.blockTime).toBe('instant');
    expect(instant.tags).toEqual(['x']);
  });

  it('accepts kebab-case and dotted flags, and snake_case keys the schema declares', () => {
    const Snake = Type.Object({
      max_weight: Type.Number(),
      subnet: Type.Object({ blockTime: Type.Integer() }),
    });
    expect(resolveConfig(Snake, { flags: { max_weight: '0.5', 'subnet.block-time': '12' } }).config).toEqual({
      max_weight: 0.5,
      subnet: { blockTime: 12 },
    });
  });

  it('converts string flags but does not coerce file values', () => {
    expect(resolveConfig(Schema, { flags: { netuid: '3', debug: 'false' } }).config).toMatchObject({
      netuid: 3,
      debug: false,
    });
    expect(
      problemsOf(() => resolveConfig(Schema, { file: { path: 'c.json', data: { netuid: '3' } } })),
    ).toEqual(['netuid: got "3" (from file c.json), expected an integer >= 1']);
  });
});

describe('errors', () => {
  it('lists every problem with key, value, source and a human form', () => {
    const messages = problemsOf(() =>
      resolveConfig(Schema, {
        envPrefix: 'SUBNETKIT_',
        env: { SUBNETKIT_NETUID: '0', SUBNETKIT_DEBUG: 'yes' },
        file: { path: 'c.json', data: { port: 70000, blockTime: 'fast', chain: { wsUrl: 'http://x' } } },
        flags: { logLevel: 'trace' },
      }),
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'netuid: got 0 (from env SUBNETKIT_NETUID), expected an integer >= 1',
        'debug: got "yes" (from env SUBNETKIT_DEBUG), expected true or false',
        'port: got 70000 (from file c.json), expected an integer between 1 and 65535',
        'blockTime: got "fast" (from file c.json), expected one of instant|<ms>',
        'chain.wsUrl: got "http://x" (from file c.json), expected a ws:// or wss:// URL',
        'logLevel: got "trace" (from flags), expected one of debug|info|warn',
      ]),
    );
    expect(messages).toHaveLength(6);
  });

  it('rejects a fractional or exponent env value for an integer key instead of truncating it', () => {
    expect(
      problemsOf(() => resolveConfig(Schema, { envPrefix: 'SUBNETKIT_', env: { SUBNETKIT_NETUID: '1.5' } })),
    ).toEqual(['netuid: got 1.5 (from env SUBNETKIT_NETUID), expected an integer >= 1']);
    expect(
      resolveConfig(Schema, { envPrefix: 'SUBNETKIT_', env: { SUBNETKIT_NETUID: '1e3' } }).config.netuid,
    ).toBe(1000);
  });

  it('names a missing required key and how to set it', () => {
    expect(problemsOf(() => resolveConfig(Schema, { envPrefix: 'SUBNETKIT_' }))).toEqual([
      'netuid: got nothing (from not set; use --netuid, SUBNETKIT_NETUID or "netuid" in the config file), expected an integer >= 1',
    ]);
  });

  it('rejects unknown keys in the file and flags with the nearest valid key', () => {
    const messages = problemsOf(() =>
      resolveConfig(Schema, {
        file: { path: 'c.json', data: { netuid: 1, netuidd: 2, chain: { wsUrll: 'ws://a' } } },
        flags: { prot: 1 },
      }),
    );
    expect(messages).toEqual([
      'netuidd: unknown key (from file c.json), did you mean "netuid"?',
      'chain.wsUrll: unknown key (from file c.json), did you mean "chain.wsUrl"?',
      'prot: unknown key (from flags), did you mean "port"?',
    ]);
  });

  it('describes schema forms for messages', () => {
    expect(describeSchema(Type.Integer({ minimum: 1 }))).toBe('an integer >= 1');
    expect(describeSchema(Type.Number({ exclusiveMinimum: 0 }))).toBe('a number > 0');
    expect(describeSchema(Type.String({ minLength: 1 }))).toBe('a non-empty string');
    expect(describeSchema(Type.Array(Type.Integer()))).toBe('a list of integers');
    expect(describeSchema(UrlString(['http', 'https']))).toBe('a http:// or https:// URL');
    expect(describeSchema(Type.String({ expected: 'an SS58 address' }))).toBe('an SS58 address');
  });
});

describe('loadConfig with a YAML file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'subnetkit-config-yaml-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .yaml and .yml files with nested keys and lists', () => {
    const path = join(dir, 'ok.yaml');
    writeFileSync(path, 'netuid: 5\nchain:\n  maxRetries: 1\ntags:\n  - a\n  - b\n');
    expect(loadConfig(Schema, { file: path })).toMatchObject({
      netuid: 5,
      chain: { maxRetries: 1 },
      tags: ['a', 'b'],
    });
    const yml = join(dir, 'ok.yml');
    writeFileSync(yml, 'netuid: 6\n');
    expect(loadConfig(Schema, { file: yml }).netuid).toBe(6);
  });

  it('explains bad YAML, a non-mapping top level and a wrong value with the file as source', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'netuid: [1\n');
    const list = join(dir, 'list.yml');
    writeFileSync(list, '- 1\n');
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, 'netuid: "3"\n');
    expect(() => loadConfig(Schema, { file: bad })).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => loadConfig(Schema, { file: list })).toThrow(/must be a YAML mapping/);
    expect(() => loadConfig(Schema, { file: wrong })).toThrow(
      `netuid: got "3" (from file ${wrong}), expected an integer >= 1`,
    );
  });
});

describe('loadConfig with a JSON file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'subnetkit-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file and merges it', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify({ netuid: 5, chain: { maxRetries: 1 } }));
    const config = loadConfig(Schema, {
      file: path,
      env: { SUBNETKIT_PORT: '9000' },
      envPrefix: 'SUBNETKIT_',
    });
    expect(config).toMatchObject({ netuid: 5, port: 9000, chain: { maxRetries: 1 } });
  });

  it('explains a missing file, bad JSON and a non-object top level', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "netuid": ');
    const arr = join(dir, 'arr.json');
    writeFileSync(arr, '[1]');
    expect(() => loadConfig(Schema, { file: join(dir, 'nope.json') })).toThrow(/nope\.json: file not found/);
    expect(() => loadConfig(Schema, { file: bad })).toThrow(/bad\.json: not valid JSON/);
    expect(() => loadConfig(Schema, { file: arr })).toThrow(/must be a JSON object/);
    expect(() => loadConfig(Schema, { file: arr })).toThrow(ConfigError);
  });
});
