import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import type { ParsedConfigFile } from './resolve.js';
import { isPlainObject } from './schema-walk.js';

/** True when `path` names a YAML file (`.yaml` or `.yml`); anything else is read as JSON. */
export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * Reads and parses a config file, YAML (`.yaml`/`.yml`) or JSON (anything else): the only I/O of the
 * config module. Throws {@link ConfigError} when the file is missing, unreadable, not valid YAML/JSON,
 * or its top level is not an object.
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
  const yaml = isYamlPath(path);
  let data: unknown;
  try {
    data = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw fileProblem(
      path,
      `not valid ${yaml ? 'YAML' : 'JSON'} (${(err as Error).message}); fix the syntax`,
    );
  }
  if (!isPlainObject(data)) {
    throw fileProblem(
      path,
      yaml
        ? 'the top level must be a YAML mapping like `netuid: 1`'
        : 'the top level must be a JSON object like {"netuid": 1}',
    );
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
        expected: 'a JSON object or YAML mapping',
        message: `${path}: ${why}`,
      },
    ],
    'Could not read the config file',
  );
}
