#!/usr/bin/env node
/**
 * Keep package-lock.json usable by `npm ci` with the npm registry mirror on our machines.
 *
 * The mirror holds the current versions of the platform packages this machine needs
 * (linux-x64 builds of esbuild, rollup, biome...) but not those of other platforms. `npm install`
 * quietly leaves the unresolvable optional platform packages out of the lock, yet keeps them in
 * the parent's `optionalDependencies`, and `npm ci` then refuses the lock as out of sync
 * ("Missing: @biomejs/cli-darwin-x64@ from lock file"). Dropping the optional edges whose target
 * is not in the lock makes the lock say exactly what gets installed. Idempotent; runs as the root
 * postinstall and in .ci/run before `npm ci`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages ?? {};

/** Where node would find `name` from the package at `path` (walks up node_modules folders). */
function resolves(path, name) {
  let dir = path;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i === -1 ? '' : dir.slice(0, i);
  }
}

let dropped = 0;
for (const [path, entry] of Object.entries(packages)) {
  const optional = entry.optionalDependencies;
  // Workspace and root entries must match their package.json, so only installed packages are fixed.
  if (!optional || !path.includes('node_modules/')) continue;
  for (const name of Object.keys(optional)) {
    if (!resolves(path, name)) {
      delete optional[name];
      dropped++;
    }
  }
  if (Object.keys(optional).length === 0) delete entry.optionalDependencies;
}
if (dropped > 0) {
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`fix-lockfile: dropped ${dropped} optional platform packages the registry does not serve`);
}
