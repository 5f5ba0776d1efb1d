/**
 * The validator's cached metagraph and hyperparameters, re-synced from the chain every
 * `resyncBlocks` blocks (the template resyncs every `epoch_length` = 100 blocks).
 */
import type { MetagraphView, ValidatorChain, ValidatorHyperparameters } from './types.js';

export interface MetagraphSnapshot {
  metagraph: MetagraphView;
  hyperparameters: ValidatorHyperparameters;
}

export class MetagraphCache {
  private snapshot: MetagraphSnapshot | undefined;
  private syncing: Promise<MetagraphSnapshot> | undefined;

  constructor(
    private readonly chain: ValidatorChain,
    private readonly netuid: number,
    private readonly resyncBlocks: number,
  ) {}

  /** The cached snapshot, re-synced first when it is `resyncBlocks` or more blocks old (or `force`). */
  async get(force = false): Promise<MetagraphSnapshot> {
    if (!force && this.snapshot) {
      const block = await this.chain.currentBlock();
      if (block - this.snapshot.metagraph.block < this.resyncBlocks) return this.snapshot;
    }
    // One sync at a time; concurrent callers share it.
    this.syncing ??= this.sync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async sync(): Promise<MetagraphSnapshot> {
    const [metagraph, hyperparameters] = await Promise.all([
      this.chain.metagraph(this.netuid),
      this.chain.hyperparameters(this.netuid),
    ]);
    this.snapshot = { metagraph, hyperparameters };
    return this.snapshot;
  }
}
