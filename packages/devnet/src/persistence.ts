/** Saving and loading the chain to a JSON file (atomically: write a temp file, then rename). */
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import type { ChainSnapshot } from './chain.js';

export function loadSnapshot(path: string): ChainSnapshot | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`devnet: cannot read the state file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as ChainSnapshot;
  } catch (e) {
    throw new Error(
      `devnet: the state file ${path} is not valid JSON (${(e as Error).message}); delete it to start a fresh chain`,
    );
  }
}

export async function saveSnapshot(path: string, snap: ChainSnapshot): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(snap));
  await rename(tmp, path);
}

/** Synchronous save, for shutdown paths that can not wait. */
export function saveSnapshotSync(path: string, snap: ChainSnapshot): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap));
  renameSync(tmp, path);
}
