/**
 * An in-memory `ValidatorChain` for tests and benchmarks: a metagraph you edit by hand, blocks that
 * advance with time or on demand, subtensor's set_weights checks that matter to a validator (rate
 * limit, registration, permit), and switches to simulate a lost connection.
 */
import { ChainError } from '@subnetkit/chain';
import type { AxonEndpoint, MetagraphView } from '@subnetkit/core';
import type { SetWeightsResult, ValidatorChain, ValidatorHyperparameters } from '../types.js';

/** A dispatch rejection as `@subnetkit/chain` reports it: the runtime error name, then the detail. */
function rejected(name: string, detail?: string): ChainError {
  return new ChainError('Dispatch', detail ? `${name}: ${detail}` : name, { chainError: name });
}

export interface FakeNeuron {
  hotkey: string;
  axon?: AxonEndpoint;
  validatorPermit?: boolean;
  stake?: number;
}

export interface FakeChainOptions {
  netuid?: number;
  neurons: FakeNeuron[];
  hyperparameters?: Partial<ValidatorHyperparameters>;
  /** When set, the block number advances by one every this many ms. */
  blockTimeMs?: number;
  /** Called after every accepted set_weights (e.g. to record it somewhere a test can read). */
  onSetWeights?: (call: SetWeightsCall) => void | Promise<void>;
}

export interface SetWeightsCall {
  hotkey: string;
  uid: number;
  netuid: number;
  uids: number[];
  weights: number[];
  versionKey: number;
  block: number;
}

export class FakeChain implements ValidatorChain {
  readonly netuid: number;
  neurons: FakeNeuron[];
  hyperparams: ValidatorHyperparameters;
  readonly calls: SetWeightsCall[] = [];
  /** Hotkey this fake signs set_weights as (the validator's). */
  signer: string | undefined;
  private manualBlock = 1;
  private readonly started = Date.now();
  private lastUpdate = new Map<string, number>();
  private down = false;

  constructor(private readonly options: FakeChainOptions) {
    this.netuid = options.netuid ?? 1;
    this.neurons = options.neurons;
    this.hyperparams = {
      tempo: 10,
      weightsRateLimit: 0,
      minAllowedWeights: 1,
      maxWeightsLimit: 65535,
      weightsVersionKey: 0,
      commitRevealEnabled: false,
      ...options.hyperparameters,
    };
  }

  /** Make every call fail as if the WebSocket dropped, until {@link reconnect}. */
  disconnect(): void {
    this.down = true;
  }
  reconnect(): void {
    this.down = false;
  }
  /** Advance the (manual) block number. */
  advance(blocks = 1): void {
    this.manualBlock += blocks;
  }

  private check(): void {
    if (this.down) {
      throw new ChainError(
        'ConnectionFailed',
        'chain connection lost: WebSocket is not connected (reconnecting)',
      );
    }
  }

  private block(): number {
    const timed = this.options.blockTimeMs
      ? Math.floor((Date.now() - this.started) / this.options.blockTimeMs)
      : 0;
    return this.manualBlock + timed;
  }

  async currentBlock(): Promise<number> {
    this.check();
    return this.block();
  }

  async metagraph(netuid: number): Promise<MetagraphView> {
    this.check();
    if (netuid !== this.netuid) throw rejected('SubNetworkDoesNotExist', `netuid ${netuid}`);
    const n = this.neurons.length;
    return {
      netuid,
      block: this.block(),
      n,
      hotkeys: this.neurons.map((x) => x.hotkey),
      axons: this.neurons.map((x) => x.axon ?? { ip: '0.0.0.0', port: 0 }),
      validatorPermit: this.neurons.map((x) => x.validatorPermit ?? false),
      stake: this.neurons.map((x) => x.stake ?? 0),
      lastUpdate: this.neurons.map((x) => this.lastUpdate.get(x.hotkey) ?? 0),
    };
  }

  async hyperparameters(netuid: number): Promise<ValidatorHyperparameters> {
    this.check();
    if (netuid !== this.netuid) throw rejected('SubNetworkDoesNotExist', `netuid ${netuid}`);
    return { ...this.hyperparams };
  }

  async setWeights(
    netuid: number,
    uids: number[],
    weights: number[],
    versionKey: number,
  ): Promise<SetWeightsResult> {
    this.check();
    const hotkey = this.signer;
    const uid = this.neurons.findIndex((x) => x.hotkey === hotkey);
    if (!hotkey || uid < 0) throw rejected('HotKeyNotRegisteredInSubNet', `${hotkey} on netuid ${netuid}`);
    if (!this.neurons[uid]!.validatorPermit) throw rejected('NeuronNoValidatorPermit', `uid ${uid}`);
    if (versionKey < this.hyperparams.weightsVersionKey) throw rejected('IncorrectWeightVersionKey');
    const block = this.block();
    const last = this.lastUpdate.get(hotkey) ?? 0;
    if (last > 0 && block - last < this.hyperparams.weightsRateLimit) throw rejected('SettingWeightsTooFast');
    this.lastUpdate.set(hotkey, block);
    const call = { hotkey, uid, netuid, uids: [...uids], weights: [...weights], versionKey, block };
    this.calls.push(call);
    await this.options.onSetWeights?.(call);
    return { mode: 'set', block, txHash: `0x${block.toString(16).padStart(64, '0')}` };
  }
}
