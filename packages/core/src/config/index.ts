/**
 * Typed configuration: a TypeBox schema plus defaults, a JSON file, env vars and flags, merged with
 * precedence flags > env > file > defaults, coerced and validated with errors a user can act on.
 */
export { ConfigError, type ConfigProblem } from './errors.js';
export { describeSchema } from './describe.js';
export { camelToUpperSnake, envVarName } from './keys.js';
export { isYamlPath, readConfigFile } from './file.js';
export { loadConfig, type ConfigSources } from './load.js';
export {
  resolveConfig,
  type ParsedConfigFile,
  type ResolveConfigInput,
  type ResolvedConfig,
} from './resolve.js';
export { UrlString } from './types.js';
