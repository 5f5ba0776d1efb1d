import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { ParsedConfigFile } from './resolve.js';
import { isPlainObject } from './schema-walk.js';

/**
 * Reads and parses a JSON config file (the only I/O of the config module). Throws {@link ConfigError}
 * when the file is missing, unreadable, not JSON, or not a JSON object.
 */
export function readConfigFile(path: string): ParsedConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found; create it or drop the config file option' : String(err);
    throw fileProblem(path, why);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw fileProblem(path, `not valid JSON (${(err as Error).message}); fix the syntax`);
  }
  if (!isPlainObject(data)) {
    throw fileProblem(path, 'the top level must be a JSON object like {"netuid": 1}');
  }
  return { path, data };
}

function fileProblem(path: string, why: string): ConfigError {
  return new ConfigError(
    [
      {
        key: '(file)',
        value: path,
        source: `file ${path}`,
        expected: 'a JSON object',
        message: `${path}: ${why}`,
      },
    ],
    'Could not read the config file',
  );
}
