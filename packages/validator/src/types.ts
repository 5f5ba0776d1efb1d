/**
 * The small views of the chain the validator needs. `@subnetkit/chain` satisfies them through an
 * adapter (see `chain-adapter.ts`); tests use the fakes in `testing/`.
 */

/** Where a neuron's axon listens, as published on chain with `serve_axon`. */
export interface AxonEndpoint {
  /** IPv4/IPv6 address as text; `0.0.0.0` (or empty) means "not serving". */
  ip: string;
  port: number;
}

/** The parts of a subnet's metagraph a validator reads, indexed by uid (0..n-1). */
export interface MetagraphView {
  netuid: number;
  /** Block the snapshot was read at. */
  block: number;
  /** Number of neurons (`SubnetworkN`). */
  n: number;
  hotkeys: string[];
  axons: AxonEndpoint[];
  validatorPermit: boolean[];
  /** Stake weight per uid in TAO/alpha units (used to exclude big validators from sampling). */
  stake: number[];
  /** Block of each uid's last `set_weights` / commit (`LastUpdate`). */
  lastUpdate: number[];
}

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
 * The chain operations a validator uses. Implementations must throw an `Error` whose message
 * names the cause (for chain dispatch errors, the subtensor error name such as
 * `SettingWeightsTooFast`), so the weight setter can log, count and retry it.
 */
export interface ValidatorChain {
  currentBlock(): Promise<number>;
  metagraph(netuid: number): Promise<MetagraphView>;
  hyperparameters(netuid: number): Promise<ValidatorHyperparameters>;
  /** Submit u16 weights (set_weights, or commit/reveal when the subnet enables it) and wait for inclusion. */
  setWeights(
    netuid: number,
    uids: number[],
    weights: number[],
    versionKey: number,
  ): Promise<SetWeightsResult>;
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
