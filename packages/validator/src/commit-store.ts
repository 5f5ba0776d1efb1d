/**
 * Pending commit-reveal commits (with their secret salts) in Redis, so whichever validator process
 * runs the next weights check can reveal a commit another process made, and a restart loses none.
 * Implements `@subnetkit/chain`'s `CommitStore`; pass it to `connect(url, { commitStore })`.
 */
import type { CommitStore, PendingCommit } from '@subnetkit/chain';
import type { RedisClient as Redis } from '@subnetkit/redis';

/** A `CommitStore` in one Redis hash, `<prefix>:commits` (commit hash -> JSON record). */
export class RedisCommitStore implements CommitStore {
  readonly key: string;

  /** `prefix`: the validator's key prefix (see `defaultKeyPrefix`). */
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:commits`;
  }

  async save(commit: PendingCommit): Promise<void> {
    await this.redis.hset(
      this.key,
      commit.commitHash.toLowerCase(),
      JSON.stringify({ ...commit, savedAt: commit.savedAt ?? Date.now() }),
    );
  }

  async load(hotkey: string, netuid: number): Promise<PendingCommit[]> {
    const all = await this.redis.hvals(this.key);
    const out: PendingCommit[] = [];
    for (const raw of all) {
      try {
        const c = JSON.parse(raw) as PendingCommit;
        if (c.hotkey === hotkey && c.netuid === netuid) out.push(c);
      } catch {
        // not a record of ours
      }
    }
    return out.sort((a, b) => a.commitBlock - b.commitBlock);
  }

  async delete(commitHash: string): Promise<void> {
    await this.redis.hdel(this.key, commitHash.toLowerCase());
  }
}
