import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSubnetPlugin, type SubnetPlugin } from '@subnetkit/core';

/** Built-in short names for the subnets shipped in this repository. */
const BUILTIN: Record<string, string> = {
  echo: '@subnetkit/subnet-echo',
  vision: '@subnetkit/subnet-vision',
  forecast: '@subnetkit/subnet-forecast',
};

/**
 * Load a subnet plugin from a package name (`@subnetkit/subnet-echo`), a short built-in name
 * (`echo`) or a path to a module whose default export is a `defineSubnet(...)` result.
 */
export async function loadSubnetPlugin(spec: string, cwd = process.cwd()): Promise<SubnetPlugin> {
  const target = BUILTIN[spec] ?? spec;
  const looksLikePath =
    target.startsWith('.') || isAbsolute(target) || target.endsWith('.js') || target.endsWith('.mjs');
  let url = target;
  if (looksLikePath) {
    const file = resolve(cwd, target);
    if (!existsSync(file)) {
      throw new Error(
        `--subnet ${spec}: no file at ${file}; pass a package name or a path to a built .js module`,
      );
    }
    url = pathToFileURL(file).href;
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (err) {
    throw new Error(
      `--subnet ${spec}: could not import ${target} (${(err as Error).message}); install the package or build it first`,
    );
  }
  const plugin = mod.default;
  if (!isSubnetPlugin(plugin)) {
    throw new Error(
      `--subnet ${spec}: the module's default export is not a subnet; export default defineSubnet({...})`,
    );
  }
  return plugin;
}
