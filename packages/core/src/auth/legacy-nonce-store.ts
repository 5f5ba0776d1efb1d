/**
 * Nonce bookkeeping for legacy v10 (axon/dendrite) requests. The Python axon keeps, per
 * `"{dendrite.hotkey}:{dendrite.uuid}"`, the last nonce it accepted and requires strictly increasing
 * nonces; the first request of a key must instead be recent. This module holds that state.
 */

/** What a {@link LegacyNonceStore} decided for one nonce. */
export type LegacyNonceVerdict =
  /** Recorded: first nonce of the key and recent enough, or greater than the last one. */
  | 'accepted'
  /** First nonce of the key but not greater than the freshness floor. */
  | 'too-old-first'
  /** The key has a last nonce and this one is not greater. */
  | 'not-increasing';

/**
 * Last accepted nonce per legacy endpoint key (`hotkey:uuid`). `advance` must be atomic, since
 * concurrent requests race; a Redis implementation does it in one Lua script (GET, compare, SET).
 */
export interface LegacyNonceStore {
  /**
   * Accepts and records `nonce` for `endpointKey` when it is greater than the stored nonce, or, for
   * an unknown key, greater than `firstFloor` (no floor when `undefined`).
   */
  advance(endpointKey: string, nonce: bigint, firstFloor: bigint | undefined): Promise<LegacyNonceVerdict>;
}

/** Options of {@link MemoryLegacyNonceStore}. */
export interface MemoryLegacyNonceStoreOptions {
  /**
   * Most keys held (default 100 000). The least recently used key is forgotten when full; its next
   * request is then treated as a first request and must be fresh again.
   */
  readonly maxEntries?: number;
}

/** In-process {@link LegacyNonceStore}, bounded with least-recently-used eviction. */
export class MemoryLegacyNonceStore implements LegacyNonceStore {
  private readonly last = new Map<string, bigint>();
  private readonly maxEntries: number;

  constructor(options: MemoryLegacyNonceStoreOptions = {}) {
    const max = options.maxEntries ?? 100_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`MemoryLegacyNonceStore maxEntries must be a positive integer, got ${max}`);
    }
    this.maxEntries = max;
  }

  /** Number of endpoint keys held. */
  get size(): number {
    return this.last.size;
  }

  /** @inheritdoc */
  async advance(
    endpointKey: string,
    nonce: bigint,
    firstFloor: bigint | undefined,
  ): Promise<LegacyNonceVerdict> {
    const previous = this.last.get(endpointKey);
    if (previous !== undefined) {
      if (nonce <= previous) return 'not-increasing';
      this.last.delete(endpointKey); // re-insert below to mark it most recently used
    } else {
      if (firstFloor !== undefined && nonce <= firstFloor) return 'too-old-first';
      while (this.last.size >= this.maxEntries) {
        const oldest = this.last.keys().next();
        if (oldest.done) break;
        this.last.delete(oldest.value);
      }
    }
    this.last.set(endpointKey, nonce);
    return 'accepted';
  }
}
