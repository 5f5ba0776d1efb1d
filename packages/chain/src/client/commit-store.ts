/**
 * Where pending weight commits (with their secret salt) are kept until revealed, so a restarted validator
 * still reveals. Pluggable: the validator may supply a Redis-backed store.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A commit waiting for its reveal. Everything the reveal call needs. */
export interface PendingCommit {
  netuid: number;
  /** Committing hotkey, SS58. */
  hotkey: string;
  /** The commit hash sent on chain (0x hex). */
  commitHash: string;
  uids: number[];
  values: number[];
  salt: number[];
  /** u64 as a decimal string (JSON-safe). */
  versionKey: string;
  /** Block the commit was included in (0 while the commit transaction is still in flight). */
  commitBlock: number;
  /** When the record was written (ms since the epoch). */
  savedAt?: number;
  /**
   * Timelocked (CR v3/v4) commits only: the drand round the payload is encrypted to (decimal string). The
   * chain reveals these itself; the record keeps a restarted validator from committing the same weights
   * twice in an epoch. `commitHash` is then blake2-256 of the ciphertext and `salt` is empty.
   */
  revealRound?: string;
  /** Timelocked commits: the epoch the commit is stored under in `TimelockedWeightCommits`. */
  commitEpoch?: number;
}

/** Storage for pending commits. */
export interface CommitStore {
  save(commit: PendingCommit): Promise<void>;
  /** Pending commits of one hotkey on one netuid, oldest first. */
  load(hotkey: string, netuid: number): Promise<PendingCommit[]>;
  delete(commitHash: string): Promise<void>;
}

/** Default directory: `~/.subnetkit/commits`. */
export function defaultCommitDir(): string {
  return join(homedir(), '.subnetkit', 'commits');
}

/** One JSON file per commit (written atomically, mode 0600) in a directory. */
export class JsonFileCommitStore implements CommitStore {
  constructor(readonly dir: string = defaultCommitDir()) {}

  #file(hash: string): string {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`invalid commit hash ${hash}`);
    return join(this.dir, `${hash.toLowerCase()}.json`);
  }

  async save(commit: PendingCommit): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(commit.commitHash);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(commit), { mode: 0o600 });
    await rename(tmp, file);
  }

  async load(hotkey: string, netuid: number): Promise<PendingCommit[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: PendingCommit[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const c = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as PendingCommit;
        if (c.hotkey === hotkey && c.netuid === netuid) out.push(c);
      } catch {
        // A partial or foreign file is not a commit; leave it alone.
      }
    }
    return out.sort((a, b) => a.commitBlock - b.commitBlock);
  }

  async delete(commitHash: string): Promise<void> {
    await rm(this.#file(commitHash), { force: true });
  }
}

/** An in-memory store (tests, short-lived tools). */
export class MemoryCommitStore implements CommitStore {
  readonly #m = new Map<string, PendingCommit>();
  async save(c: PendingCommit): Promise<void> {
    this.#m.set(c.commitHash.toLowerCase(), c);
  }
  async load(hotkey: string, netuid: number): Promise<PendingCommit[]> {
    return [...this.#m.values()]
      .filter((c) => c.hotkey === hotkey && c.netuid === netuid)
      .sort((a, b) => a.commitBlock - b.commitBlock);
  }
  async delete(commitHash: string): Promise<void> {
    this.#m.delete(commitHash.toLowerCase());
  }
}
