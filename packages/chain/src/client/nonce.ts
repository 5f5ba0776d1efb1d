/**
 * Per-signer nonce management: one queue per address, the nonce fetched once and then incremented locally,
 * resynced from the chain after any failure. Concurrent submissions from one key get distinct nonces.
 */
export class NonceManager {
  readonly #next = new Map<string, number>();
  readonly #tail = new Map<string, Promise<unknown>>();

  /**
   * Runs `submit(nonce)` in this address's queue. `fetch` reads `system_accountNextIndex` when the local
   * value is unknown. On success the next nonce is `nonce + 1`; on failure it is re-read next time.
   */
  async run<T>(
    address: string,
    fetch: () => Promise<number>,
    submit: (nonce: number) => Promise<T>,
  ): Promise<T> {
    const prev = this.#tail.get(address) ?? Promise.resolve();
    const job = prev
      .catch(() => undefined)
      .then(async () => {
        const nonce = this.#next.get(address) ?? (await fetch());
        try {
          const r = await submit(nonce);
          this.#next.set(address, nonce + 1);
          return r;
        } catch (e) {
          this.#next.delete(address);
          throw e;
        }
      });
    this.#tail.set(address, job);
    try {
      return await job;
    } finally {
      if (this.#tail.get(address) === job) this.#tail.delete(address);
    }
  }

  /** Forgets the local nonce of an address (e.g. after a transaction was dropped). */
  reset(address?: string): void {
    if (address === undefined) this.#next.clear();
    else this.#next.delete(address);
  }
}
