import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isSecretKey, REDACTED, redactSecrets, redactText } from './logging.js';

const MNEMONIC = 'hat project sauce road mail cloud service lab protect credit craft lava';

function capture(isTTY = false) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('secret redaction', () => {
  it('recognises secret keys', () => {
    for (const k of [
      'mnemonic',
      'coldkeyMnemonic',
      'seed',
      'secretSeed',
      'privateKey',
      'private_key',
      'password',
      'secretPhrase',
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of ['hotkey', 'coldkey', 'ss58Address', 'netuid', 'publicKey'])
      expect(isSecretKey(k), k).toBe(false);
  });

  it('redacts at any depth, in arrays and errors, without touching the input', () => {
    const input = { wallet: { coldkeyMnemonic: MNEMONIC, keys: [{ privateKey: '0x01' }] }, hotkey: '5Di9' };
    const out = redactSecrets(input);
    expect(out).toEqual({
      wallet: { coldkeyMnemonic: REDACTED, keys: [{ privateKey: REDACTED }] },
      hotkey: '5Di9',
    });
    expect(input.wallet.coldkeyMnemonic).toBe(MNEMONIC);
    const err = Object.assign(new Error(`bad seed=0xdeadbeef`), { password: 'hunter2' });
    expect(JSON.stringify(redactSecrets({ err }))).not.toMatch(/deadbeef|hunter2/);
  });

  it('redacts key: value secrets inside text, including a whole mnemonic', () => {
    // A run of 12-24 lowercase words after the key is taken whole (over-redacting a following word is safe).
    expect(redactText(`restored from mnemonic: ${MNEMONIC}, hotkey 5Di9`)).toBe(
      `restored from mnemonic: ${REDACTED}, hotkey 5Di9`,
    );
    expect(redactText('password="a b c" and private key=0xabc')).toBe(
      `password=${REDACTED} and private key=${REDACTED}`,
    );
    expect(redactText('block 0xabc at seed round 3')).toBe('block 0xabc at seed round 3');
  });
});

describe('createLogger', () => {
  it('writes JSON lines when the destination is not a TTY, with no secret at any level', () => {
    const out = capture(false);
    const log = createLogger({ name: 'test', level: 'trace', destination: out.stream, env: {} });
    log.trace({ mnemonic: MNEMONIC }, 'trace');
    log.debug({ wallet: { seed: '0x1234' } }, `debug mnemonic: ${MNEMONIC}`);
    log.info({ password: 'hunter2', netuid: 1 }, 'info');
    log.error({ err: Object.assign(new Error('boom'), { privateKey: '0xfeed' }) }, 'error');
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatchObject({
      level: 'info',
      name: 'test',
      netuid: 1,
      password: REDACTED,
      msg: 'info',
    });
    expect(out.text()).not.toMatch(/hat project|0x1234|hunter2|0xfeed/);
  });

  it('honours the level and SUBNETKIT_LOG_LEVEL / SUBNETKIT_LOG_FORMAT', () => {
    const out = capture(true);
    const log = createLogger({
      destination: out.stream,
      env: { SUBNETKIT_LOG_LEVEL: 'warn', SUBNETKIT_LOG_FORMAT: 'json' },
    });
    log.info('hidden');
    log.warn('shown');
    expect(out.text()).not.toContain('hidden');
    expect(JSON.parse(out.text())).toMatchObject({ level: 'warn', msg: 'shown' });
  });

  it('writes human-readable lines on a TTY, redacted too', () => {
    const out = capture(true);
    const log = createLogger({ name: 'miner', destination: out.stream, env: {} });
    log.info({ mnemonic: MNEMONIC, port: 8091 }, 'serving');
    const text = out.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toContain('serving');
    expect(text).toContain('8091');
    expect(text).not.toContain('hat project');
  });

  it('names the flag on an unknown level or format', () => {
    expect(() => createLogger({ level: 'loud', env: {} })).toThrow(
      /unknown log level "loud": use one of fatal, error, warn, info, debug, trace, silent/,
    );
    expect(() => createLogger({ env: { SUBNETKIT_LOG_FORMAT: 'xml' } })).toThrow(
      /unknown log format "xml": use auto, json or pretty/,
    );
  });
});
