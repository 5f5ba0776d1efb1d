import { Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine } from './index.js';
import { configureLogging, createLogger, logLevel, quietChildLevel } from './logger.js';

afterEach(() => configureLogging({}));

describe('--log-level and --log-format', () => {
  it('are global options, accepted before or after the command, checked against their choices', async () => {
    await parseCommandLine(['--log-level', 'debug', 'exporter', '--netuid', '1']);
    expect(logLevel()).toBe('debug');
    expect(quietChildLevel()).toBe('debug');
    await parseCommandLine(['exporter', '--netuid', '1', '--log-level', 'error', '--log-format', 'json']);
    expect(logLevel()).toBe('error');
    expect(quietChildLevel()).toBe('warn');
    await expect(parseCommandLine(['exporter', '--netuid', '1', '--log-level', 'loud'])).rejects.toThrow(
      /Allowed choices are fatal, error, warn, info, debug, trace, silent/,
    );
    await expect(parseCommandLine(['devnet', '--log-format', 'xml'])).rejects.toBeInstanceOf(CommanderError);
  });

  it('fall back to SUBNETKIT_LOG_LEVEL and reject an unknown level naming the flag', () => {
    const before = process.env.SUBNETKIT_LOG_LEVEL;
    process.env.SUBNETKIT_LOG_LEVEL = 'trace';
    try {
      configureLogging({});
      expect(logLevel()).toBe('trace');
    } finally {
      if (before === undefined) delete process.env.SUBNETKIT_LOG_LEVEL;
      else process.env.SUBNETKIT_LOG_LEVEL = before;
    }
    expect(() => configureLogging({ level: 'loud' })).toThrow(/--log-level or SUBNETKIT_LOG_LEVEL/);
  });

  it('every command logger writes JSON lines with secrets redacted, at debug too', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const stdout = process.stdout.write;
    process.stdout.write = sink.write.bind(sink) as typeof process.stdout.write;
    try {
      configureLogging({ level: 'debug', format: 'json' });
      const log = createLogger('test');
      log.debug({ wallet: { mnemonic: 'bottom drive obey lake' }, password: 'hunter2' }, 'seed: 0xabcdef');
    } finally {
      process.stdout.write = stdout;
    }
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'debug',
      name: 'test',
      password: '[redacted]',
      msg: 'seed: [redacted]',
    });
    expect(lines.join('')).not.toMatch(/bottom drive|hunter2|abcdef/);
  });
});
