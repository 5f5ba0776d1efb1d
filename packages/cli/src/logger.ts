/**
 * The CLI's logging: one `--log-level` and one `--log-format` for every command (global options, also
 * `SUBNETKIT_LOG_LEVEL` / `SUBNETKIT_LOG_FORMAT`), and every logger made by @subnetkit/metrics'
 * `createLogger`, which redacts secrets at every level.
 */
import { type CreateLoggerOptions, createLogger as createSharedLogger } from '@subnetkit/metrics';
import { type Command, Option } from 'commander';
import type { Logger } from 'pino';

export type LogFormat = NonNullable<CreateLoggerOptions['format']>;

/** The levels `--log-level` accepts, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS: readonly LogFormat[] = ['auto', 'pretty', 'json'];

interface LogSettings {
  level?: string;
  format?: LogFormat;
}

let settings: LogSettings = {};

/** Sets the level and format every later {@link createLogger} uses (flags win over the environment). */
export function configureLogging(next: LogSettings): void {
  settings = { ...next };
  // Fails now, naming the flag and the accepted values, rather than at the first log line.
  createLogger('subnetkit');
}

/** The level loggers get: --log-level, else $SUBNETKIT_LOG_LEVEL, else info. */
export function logLevel(): string {
  return settings.level ?? process.env.SUBNETKIT_LOG_LEVEL ?? 'info';
}

/** A logger for `name`: pretty lines on a terminal, JSON lines otherwise (or as --log-format says). */
export function createLogger(name: string): Logger {
  return createSharedLogger({
    name,
    level: logLevel(),
    ...(settings.format ? { format: settings.format } : {}),
  });
}

/**
 * The level for a library's logger inside a command that shows its own progress (localnet): the
 * library's warnings at the default level, everything at debug or trace.
 */
export function quietChildLevel(): string {
  const level = logLevel().toLowerCase();
  return level === 'debug' || level === 'trace' || level === 'silent' ? level : 'warn';
}

/** Adds the global `--log-level` and `--log-format` options and applies them before every command. */
export function withLogOptions(program: Command): Command {
  return program
    .addOption(
      new Option('--log-level <level>', 'log level of every command (or $SUBNETKIT_LOG_LEVEL)')
        .choices(LOG_LEVELS)
        .env('SUBNETKIT_LOG_LEVEL'),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines: auto (pretty on a terminal, JSON lines otherwise), pretty or json (or $SUBNETKIT_LOG_FORMAT)',
      )
        .choices(LOG_FORMATS)
        .env('SUBNETKIT_LOG_FORMAT'),
    )
    .hook('preAction', (root) => {
      const o = root.opts<{ logLevel?: string; logFormat?: LogFormat }>();
      configureLogging({
        ...(o.logLevel ? { level: o.logLevel } : {}),
        ...(o.logFormat ? { format: o.logFormat } : {}),
      });
    });
}
