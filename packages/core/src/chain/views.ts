/**
 * The read-only views of a subnet that miner, validator and chain client share. `@subnetkit/chain`'s
 * `Metagraph` extends {@link MetagraphView}; the roles' chain ports return these shapes.
 */

/** Where a neuron's axon listens, as published on chain with `serve_axon` (decoded). */
export interface AxonEndpoint {
  /** IPv4 dotted quad or IPv6 text; `0.0.0.0` (or empty) means "not serving". */
  ip: string;
  port: number;
}

/** A subnet's neurons at one block, as parallel arrays indexed by uid (0..n-1). */
export interface MetagraphView {
  netuid: number;
  /** Block the view was read at. */
  block: number;
  /** Number of neurons (`SubnetworkN`). */
  n: number;
  hotkeys: string[];
  axons: AxonEndpoint[];
  validatorPermit: boolean[];
  /** Stake weight per uid as the epoch uses it (alpha + TaoWeight x root TAO), in tokens. */
  stake: number[];
  /** Block of each uid's last `set_weights` / commit (`LastUpdate`). */
  lastUpdate: number[];
}

/** What the metagraph says about one hotkey. */
export interface NeuronView {
  uid: number;
  /** Stake weight in tokens (see {@link MetagraphView.stake}). */
  stake: number;
  validatorPermit: boolean;
}

/** True when the axon has a routable address and port (`0.0.0.0`, `::`, empty or port 0 mean not serving). */
export function isServing(axon: AxonEndpoint | undefined): boolean {
  if (!axon) return false;
  const ip = axon.ip.trim();
  return ip !== '' && ip !== '0.0.0.0' && ip !== '::' && axon.port > 0 && axon.port < 65536;
}
