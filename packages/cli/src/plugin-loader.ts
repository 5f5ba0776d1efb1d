import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSubnetPlugin, type SubnetPlugin } from '@subnetkit/core';

/** Built-in short names for the subnets shipped in this repository. */
export const BUILTIN_SUBNETS: Record<string, string> = {
  echo: '@subnetkit/subnet-echo',
  vision: '@subnetkit/subnet-vision',
  forecast: '@subnetkit/subnet-forecast',
  federated: '@subnetkit/subnet-federated',
};

/** The built entry module of the package in `dir` (its package.json `exports` "." or `main`). */
function packageEntry(spec: string, dir: string): string {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) {
    throw new Error(
      `--subnet ${spec}: ${dir} is a directory without package.json; pass a subnet package directory (e.g. one made by \`subnetkit new\`) or its built .js module`,
    );
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    main?: string;
    exports?: string | Record<string, string | Record<string, string>>;
  };
  const dot = typeof pkg.exports === 'string' ? pkg.exports : pkg.exports?.['.'];
  const entry = (typeof dot === 'string' ? dot : (dot?.import ?? dot?.default)) ?? pkg.main ?? 'index.js';
  const file = resolve(dir, entry);
  if (!existsSync(file)) {
    throw new Error(
      `--subnet ${spec}: the package's entry ${file} does not exist; build it first (npm run build in ${dir})`,
    );
  }
  return file;
}

/**
 * Load a subnet plugin from a package name (`@subnetkit/subnet-echo`), a short built-in name
 * (`echo`, `vision`, `forecast`, `federated`), a subnet package directory (its built entry is loaded) or a path
 * to a module whose default export is a `defineSubnet(...)` result.
 */
export async function loadSubnetPlugin(spec: string, cwd = process.cwd()): Promise<SubnetPlugin> {
  const target = BUILTIN_SUBNETS[spec] ?? spec;
  const local = resolve(cwd, target);
  const looksLikePath =
    target.startsWith('.') ||
    isAbsolute(target) ||
    target.endsWith('.js') ||
    target.endsWith('.mjs') ||
    (!(spec in BUILTIN_SUBNETS) && existsSync(local));
  let url = target;
  if (looksLikePath) {
    if (!existsSync(local)) {
      throw new Error(
        `--subnet ${spec}: no file at ${local}; pass a package name, a subnet package directory or a path to a built .js module`,
      );
    }
    url = pathToFileURL(statSync(local).isDirectory() ? packageEntry(spec, local) : local).href;
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
