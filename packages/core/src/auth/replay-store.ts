/**
 * Replay protection for btauth/1: remembers each accepted (hotkey, nonce) pair for as long as that
 * nonce could still pass the freshness check.
 */

/**
 * Where accepted (hotkey, nonce) pairs are remembered. `verifyRequest` calls it only after the
 * signature verified, so unauthenticated traffic cannot fill it. A multi-process server shares one
 * store; with Redis the whole contract is `SET <prefix><hotkey>:<nonce> 1 NX PX <ttlMs>` (true when
 * the reply is OK).
 */
export interface ReplayStore {
  /**
   * Records the pair and says whether this is the first time it is seen within `ttlMs`.
   * @returns true when the pair was not known (the request is new), false for a replay.
   */
  remember(hotkey: string, nonce: string, ttlMs: number): Promise<boolean>;
}

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most pairs held at once (default 200 000, about 30 MB). When full, the oldest entry is dropped: a replay of that one request would then pass, so size this above
   * (peak accepted requests per second) x (maxAgeMs + maxFutureMs) / 1000.
   */
  readonly maxEntries?: number;
  /** Clock in milliseconds; tests inject one. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * In-process {@link ReplayStore}: a Map of `hotkey nonce` to expiry time. Expired entries are swept
 * from the oldest end on every call (amortised O(1)), and the size is bounded.
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly entries = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryReplayStoreOptions = {}) {
    const max = options.maxEntries ?? 200_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`MemoryReplayStore maxEntries must be a positive integer, got ${max}`);
    }
    this.maxEntries = max;
    this.now = options.now ?? Date.now;
  }

  /** Number of pairs currently held (expired ones may linger until the next call). */
  get size(): number {
    return this.entries.size;
  }

  /** @inheritdoc */
  async remember(hotkey: string, nonce: string, ttlMs: number): Promise<boolean> {
    return this.rememberSync(hotkey, nonce, ttlMs);
  }

  /** Synchronous form of {@link MemoryReplayStore.remember}, for callers that never await. */
  rememberSync(hotkey: string, nonce: string, ttlMs: number): boolean {
    const now = this.now();
    this.sweep(now);
    const key = `${hotkey} ${nonce}`;
    const expiry = this.entries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    if (expiry !== undefined) this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    // Re-inserting keeps Map order equal to insertion time; with one TTL that is also expiry order.
    this.entries.set(key, now + Math.max(0, ttlMs));
    return true;
  }

  /** Drops expired entries from the oldest end; stops at the first live one. */
  private sweep(now: number): void {
    for (const [key, expiry] of this.entries) {
      if (expiry > now) break;
      this.entries.delete(key);
    }
  }
}
