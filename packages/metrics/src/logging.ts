/**
 * One logger shape for every subnetkit process: human-readable lines on a terminal, JSON lines otherwise
 * (or as asked), one level, and secrets redacted at every level. Secrets are recognised by the key they are
 * logged under (at any depth) and by `key: value` / `key=value` text inside messages.
 */
import type { Writable } from 'node:stream';
import { type Logger, type LoggerOptions as PinoOptions, pino } from 'pino';
import pretty from 'pino-pretty';

/** Text that replaces a secret. */
export const REDACTED = '[redacted]';

/**
 * What counts as a secret: keys whose name matches one of these (case-insensitive, ignoring `_`/`-`/space),
 * e.g. `mnemonic`, `coldkeyMnemonic`, `seed`, `secretSeed`, `privateKey`, `private_key`, `password`,
 * `secretPhrase`.
 */
export const SECRET_KEY_PATTERNS: readonly RegExp[] = [
  /mnemonic/,
  /seed/,
  /privatekey/,
  /password/,
  /passphrase/,
  /secretphrase/,
  /secretkey/,
];

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface CreateLoggerOptions {
  name?: string;
  /** Default `$SUBNETKIT_LOG_LEVEL` or `info`. */
  level?: string;
  /** `auto` (default, or `$SUBNETKIT_LOG_FORMAT`): pretty when the destination is a TTY, JSON lines otherwise. */
  format?: 'auto' | 'json' | 'pretty';
  /** Where lines go (default stdout). */
  destination?: Writable & { isTTY?: boolean; fd?: number };
  /** Environment to read the defaults from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** True when a key names a secret. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[\s_-]/g, '');
  return SECRET_KEY_PATTERNS.some((p) => p.test(k));
}

const IN_TEXT =
  /\b(mnemonic|seed(?:[ _-]?phrase)?|secret[ _-]?(?:seed|phrase|key)|private[ _-]?key|pass(?:word|phrase))(\s*[:=]\s*)("[^"]*"|'[^']*'|(?:[a-z]+(?: [a-z]+){11,23})|\S+)/gi;

/** Replaces `mnemonic: …`, `seed=0x…`, `password "…"`-style secrets inside a text. */
export function redactText(text: string): string {
  return text.replace(IN_TEXT, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
}

/** A deep copy of `value` with every secret-named key's value and every secret in text redacted. */
export function redactSecrets<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, seen)) as T;
  const out: Record<string, unknown> = {};
  const src =
    value instanceof Error
      ? { ...value, type: value.name, message: value.message, stack: value.stack }
      : value;
  for (const [k, v] of Object.entries(src)) out[k] = isSecretKey(k) ? REDACTED : redactSecrets(v, seen);
  return out as T;
}

function parseLevel(level: string): LogLevel {
  const l = level.toLowerCase();
  if ((LEVELS as readonly string[]).includes(l)) return l as LogLevel;
  throw new Error(
    `unknown log level ${JSON.stringify(level)}: use one of ${LEVELS.join(', ')} (--log-level or SUBNETKIT_LOG_LEVEL)`,
  );
}

/**
 * The shared logger. JSON lines carry `level` as a label (`"level":"info"`) and an ISO `time`; pretty
 * lines are colourised on a TTY. Every line goes through {@link redactSecrets}.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const level = parseLevel(options.level ?? env.SUBNETKIT_LOG_LEVEL ?? 'info');
  const format = options.format ?? (env.SUBNETKIT_LOG_FORMAT as CreateLoggerOptions['format']) ?? 'auto';
  if (!['auto', 'json', 'pretty'].includes(format))
    throw new Error(
      `unknown log format ${JSON.stringify(format)}: use auto, json or pretty (SUBNETKIT_LOG_FORMAT)`,
    );
  const destination = options.destination ?? process.stdout;
  const human = format === 'pretty' || (format === 'auto' && destination.isTTY === true);
  const base: PinoOptions = {
    level,
    ...(options.name ? { name: options.name } : {}),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redactSecrets(obj),
    },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  };
  if (!human) return pino(base, destination);
  // pino-pretty as a stream (no worker thread), so lines keep their order with other output.
  const stream = pretty({
    destination,
    colorize: destination.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    sync: true,
  });
  return pino(base, stream);
}
