/**
 * The small views of the chain the validator needs. The metagraph and axon views are core's
 * (`MetagraphView`, `AxonEndpoint`); `@subnetkit/chain` satisfies the port through an adapter (see
 * `chain-adapter.ts`); tests use the fakes in `testing/`.
 */
import type { MetagraphView } from '@subnetkit/core';

/** The subnet hyperparameters that govern weight setting. */
export interface ValidatorHyperparameters {
  /** Blocks per epoch (`Tempo`). */
  tempo: number;
  /** `WeightsSetRateLimit`: blocks between two set_weights (or commits) of one hotkey. */
  weightsRateLimit: number;
  /** `MinAllowedWeights`. */
  minAllowedWeights: number;
  /** `MaxWeightsLimit` as a u16 proportion (65535 = no limit). */
  maxWeightsLimit: number;
  /** `WeightsVersionKey`: the chain refuses version keys below it. */
  weightsVersionKey: number;
  /** `CommitRevealWeightsEnabled`: weights go through commit/reveal instead of set_weights. */
  commitRevealEnabled: boolean;
}

/** What a submitted weight vector produced on chain. */
export interface SetWeightsResult {
  /** `set` for set_weights, `commit` for a commit-reveal commit. */
  mode: 'set' | 'commit';
  /** Block the extrinsic was included in, when known. */
  block?: number;
  txHash?: string;
}

/**
 * The chain operations a validator uses. Chain failures are `@subnetkit/chain`'s `ChainError`s,
 * whose `retry` class (permanent / rate_limited / transient) tells the weight setter whether to retry;
 * any other error counts as transient (or as a connection error when its message says so).
 */
export interface ValidatorChain {
  currentBlock(): Promise<number>;
  metagraph(netuid: number): Promise<MetagraphView>;
  hyperparameters(netuid: number): Promise<ValidatorHyperparameters>;
  /**
   * Submit u16 weight values exactly as given (set_weights, or commit/reveal when the subnet enables it)
   * and wait for inclusion. The validator has already run the weight pipeline (`computeWeights`); the
   * chain side only checks and sends.
   */
  setWeights(netuid: number, uids: number[], values: number[], versionKey: number): Promise<SetWeightsResult>;
  /** Periodic upkeep run with every weights check, e.g. revealing due commit-reveal commits. */
  maintain?(netuid: number): Promise<void>;
}

/** One miner a round queries: uid, hotkey and its axon. */
export interface MinerTarget {
  uid: number;
  hotkey: string;
  ip: string;
  port: number;
}
