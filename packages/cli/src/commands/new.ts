/**
 * `subnetkit new <name>`: scaffolds a subnet package (synapse schemas, a TensorFlow.js model with
 * `train`, `setup` and `forwardBatch`, challenge and reward, baselines, tests, README) from the
 * templates shipped in this package's `templates/subnet/`. Its tests pass as generated and
 * `subnetkit localnet --subnet <dir>` runs it once built.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

/** Where the subnet template lives: `<cli package>/templates/subnet` (shipped in the package). */
export const SUBNET_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/subnet/', import.meta.url));

/** A subnet name: what `defineSubnet` accepts, also used as the npm package name. */
const NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Dependency ranges written into a new subnet's package.json: the subnetkit packages at this CLI's
 * own version, the libraries at the ranges this repository builds and tests with (new.test.ts
 * keeps them in step with the repository's package.json files).
 */
export function templateVersions(): Record<string, string> {
  const cli = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return {
    subnetkitVersion: `^${cli.version}`,
    typeboxVersion: '^0.34.41',
    tfjsVersion: '^4.22.0',
    typescriptVersion: '~5.9.3',
    vitestVersion: '^4.1.12',
    typesNodeVersion: '^20.19.0',
  };
}

/** Template files whose name cannot be shipped as is (npm drops `.gitignore` from packages). */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

function templateFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? templateFiles(path, join(prefix, entry)) : [join(prefix, entry)];
  });
}

/** Replaces every `{{key}}` of `text`; an unknown key is a bug in the template, so it throws. */
export function fillTemplate(text: string, values: Record<string, string>, file = 'template'): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${file}: no value for {{${key}}}`);
    return value;
  });
}

/** Does `rel` (a path relative to a workspaces root) match one npm `workspaces` pattern (`*` = one segment)? */
export function matchesWorkspace(rel: string, pattern: string): boolean {
  const parts = rel.split(sep).filter(Boolean);
  const globs = pattern.replace(/^\.\//, '').split('/').filter(Boolean);
  if (globs.includes('**')) return parts.length >= globs.indexOf('**');
  return (
    parts.length === globs.length &&
    globs.every((g, i) =>
      new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(parts[i]!),
    )
  );
}

/** The npm workspaces root above `target` whose `workspaces` patterns include it, if any. */
function workspaceRoot(target: string): string | undefined {
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { workspaces } = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      const patterns = Array.isArray(workspaces)
        ? workspaces
        : ((workspaces as { packages?: unknown } | undefined)?.packages ?? []);
      if (
        Array.isArray(patterns) &&
        patterns.some((p) => matchesWorkspace(relative(dir, target), String(p)))
      ) {
        return dir;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Options of {@link scaffoldSubnet}. */
export interface ScaffoldOptions {
  name: string;
  /** Parent directory of the new package (default: `./subnets` when it exists, else `.`). */
  dir?: string;
  cwd?: string;
}

/** What {@link scaffoldSubnet} wrote. */
export interface ScaffoldResult {
  /** The new package's directory. */
  dir: string;
  files: string[];
  /** The npm workspaces root the package sits in, when there is one. */
  workspaceRoot?: string;
}

/** Writes a new subnet package `<dir>/<name>` from the template. Refuses a non-empty target. */
export function scaffoldSubnet(options: ScaffoldOptions): ScaffoldResult {
  const { name } = options;
  if (!NAME_RE.test(name)) {
    throw new Error(
      `subnetkit new ${name}: a subnet name is a lowercase letter then lowercase letters, digits and dashes (e.g. demo-subnet)`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  const parent = resolve(cwd, options.dir ?? (existsSync(join(cwd, 'subnets')) ? 'subnets' : '.'));
  const target = join(parent, name);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`subnetkit new ${name}: ${target} exists and is not empty; pick another name or --dir`);
  }
  const values = { name, ...templateVersions() };
  const files = templateFiles(SUBNET_TEMPLATE_DIR);
  const written: string[] = [];
  for (const file of files) {
    const out = join(dirname(file), RENAMED[file.split('/').pop()!] ?? file.split('/').pop()!);
    const text = fillTemplate(readFileSync(join(SUBNET_TEMPLATE_DIR, file), 'utf8'), values, file);
    mkdirSync(dirname(join(target, out)), { recursive: true });
    writeFileSync(join(target, out), text);
    written.push(out);
  }
  const root = workspaceRoot(target);
  return { dir: target, files: written.sort(), ...(root ? { workspaceRoot: root } : {}) };
}

/** `subnetkit new <name> [--dir <dir>]`. */
export function registerNewCommand(program: Command): void {
  program
    .command('new')
    .description(
      'scaffold a subnet package: synapse schemas, a TensorFlow.js model with train/setup/forwardBatch, challenge and reward, baselines, tests, README',
    )
    .argument('<name>', 'subnet name and package name (lowercase letters, digits, dashes)')
    .option('--dir <dir>', 'parent directory of the new package (default: ./subnets when it exists, else .)')
    .action((name: string, flags: { dir?: string }) => {
      const result = scaffoldSubnet({ name, ...(flags.dir ? { dir: flags.dir } : {}) });
      const rel = relative(process.cwd(), result.dir) || '.';
      console.log(`created subnet ${name} in ${rel}: ${result.files.join(', ')}`);
      console.log('next:');
      if (result.workspaceRoot) {
        console.log(
          `  npm install            (in ${relative(process.cwd(), result.workspaceRoot) || '.'}, links the new workspace)`,
        );
      } else {
        console.log(`  cd ${rel} && npm install`);
      }
      console.log(`  npm run build --prefix ${rel} && npm test --prefix ${rel}`);
      console.log(`  npx subnetkit localnet --subnet ${rel}`);
    });
}
