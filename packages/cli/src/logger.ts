import { pino, type Logger } from 'pino';

/** The CLI's logger: pretty lines on a terminal, JSON lines otherwise (for log shippers). */
export function createLogger(name: string, level = process.env.SUBNETKIT_LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && process.env.SUBNETKIT_LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
