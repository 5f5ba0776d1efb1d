/**
 * What the miner needs from the chain, as a small interface so the axon can be tested with a fake
 * and run against `@subnetkit/chain` (subtensor or the devnet) in production. The view types are
 * core's (`MetagraphView`, `AxonEndpoint`, `NeuronView`).
 */
import type { AxonEndpoint, MetagraphView, NeuronView } from '@subnetkit/core';

/**
 * The columns of core's {@link MetagraphView} the miner reads for blacklist and priority decisions
 * (hotkey, stake and validator permit per uid); `block` when known.
 */
export type MinerMetagraph = Readonly<Pick<MetagraphView, 'hotkeys' | 'stake' | 'validatorPermit'>> &
  Partial<Pick<MetagraphView, 'block'>>;

/**
 * The chain operations a miner performs. `@subnetkit/chain` is adapted to this in the CLI; tests
 * pass a fake.
 */
export interface MinerChain {
  /** Reads the metagraph of `netuid`. */
  metagraph(netuid: number): Promise<MinerMetagraph>;
  /** The axon currently published for `hotkey` on `netuid` (undefined when none). */
  axonOf(netuid: number, hotkey: string): Promise<AxonEndpoint | undefined>;
  /** Publishes the axon (serve_axon, signed by the hotkey). */
  serveAxon(netuid: number, endpoint: AxonEndpoint & { version: number }): Promise<void>;
}

/** Something that can answer "who is this hotkey" synchronously (the hot path never awaits the chain). */
export interface NeuronLookup {
  lookup(hotkey: string): NeuronView | undefined;
}

/** An indexed, immutable view of one snapshot. */
export class MetagraphIndex implements NeuronLookup {
  private readonly byHotkey = new Map<string, NeuronView>();

  constructor(readonly snapshot: MinerMetagraph) {
    snapshot.hotkeys.forEach((hotkey, uid) => {
      this.byHotkey.set(hotkey, {
        uid,
        stake: snapshot.stake[uid] ?? 0,
        validatorPermit: snapshot.validatorPermit[uid] ?? false,
      });
    });
  }

  /** Number of registered uids. */
  get size(): number {
    return this.snapshot.hotkeys.length;
  }

  lookup(hotkey: string): NeuronView | undefined {
    return this.byHotkey.get(hotkey);
  }
}

/** Options of {@link MetagraphCache}. */
export interface MetagraphCacheOptions {
  netuid: number;
  /** Reads a fresh snapshot. */
  load: (netuid: number) => Promise<MinerMetagraph>;
  /** How often to re-read, in ms (default 60 000; subtensor's tempo is 360 blocks of 12 s). */
  refreshMs?: number;
  /** Called when a refresh fails; the previous snapshot stays in use. */
  onError?: (err: unknown) => void;
}

/**
 * Keeps the latest metagraph in memory and refreshes it on a timer. Lookups are synchronous; a
 * failed refresh keeps serving the last good snapshot (a chain hiccup must not blacklist everyone).
 */
export class MetagraphCache implements NeuronLookup {
  private index: MetagraphIndex | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshing: Promise<void> | undefined;
  private lastRefreshAt = 0;

  constructor(private readonly options: MetagraphCacheOptions) {}

  /** Loads the first snapshot (throws if that fails) and starts the refresh timer. */
  async start(): Promise<void> {
    await this.refresh(true);
    const every = this.options.refreshMs ?? 60_000;
    this.timer = setInterval(() => void this.refresh(false), every);
    this.timer.unref();
  }

  /** Stops refreshing. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the metagraph now. With `strict`, a failure throws instead of being reported. */
  async refresh(strict = false): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const snapshot = await this.options.load(this.options.netuid);
          this.index = new MetagraphIndex(snapshot);
          this.lastRefreshAt = Date.now();
        } finally {
          this.refreshing = undefined;
        }
      })();
    }
    try {
      await this.refreshing;
    } catch (err) {
      if (strict) throw err;
      this.options.onError?.(err);
    }
  }

  /** The current snapshot, if one was loaded. */
  get snapshot(): MinerMetagraph | undefined {
    return this.index?.snapshot;
  }

  /** Milliseconds since the last successful refresh (Infinity before the first). */
  get ageMs(): number {
    return this.lastRefreshAt === 0 ? Number.POSITIVE_INFINITY : Date.now() - this.lastRefreshAt;
  }

  lookup(hotkey: string): NeuronView | undefined {
    return this.index?.lookup(hotkey);
  }
}

/** A fixed metagraph: for tests and for `--allow-non-registered`-style local setups. */
export function staticMetagraph(snapshot: MinerMetagraph): NeuronLookup {
  return new MetagraphIndex(snapshot);
}
