/**
 * The validator's cached subnet state (metagraph and hyperparameters), re-synced from the chain every
 * `resyncBlocks` blocks (the template resyncs every `epoch_length` = 100 blocks). Unlike the miner's
 * `MetagraphCache` (a timer and synchronous lookups on the request path), it is block-driven and async:
 * rounds and weight checks ask for it and a stale state is re-read before it is returned.
 */
import type { MetagraphView } from '@subnetkit/core';
import type { ValidatorChain, ValidatorHyperparameters } from './types.js';

/** The metagraph and hyperparameters of a subnet, read together. */
export interface SubnetState {
  metagraph: MetagraphView;
  hyperparameters: ValidatorHyperparameters;
}

export class SubnetStateCache {
  private snapshot: SubnetState | undefined;
  private syncing: Promise<SubnetState> | undefined;

  constructor(
    private readonly chain: ValidatorChain,
    private readonly netuid: number,
    private readonly resyncBlocks: number,
  ) {}

  /** The cached snapshot, re-synced first when it is `resyncBlocks` or more blocks old (or `force`). */
  async get(force = false): Promise<SubnetState> {
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

  private async sync(): Promise<SubnetState> {
    const [metagraph, hyperparameters] = await Promise.all([
      this.chain.metagraph(this.netuid),
      this.chain.hyperparameters(this.netuid),
    ]);
    this.snapshot = { metagraph, hyperparameters };
    return this.snapshot;
  }
}
