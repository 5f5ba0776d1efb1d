import type { AnySubnetPlugin } from './types.js';

/**
 * The plugin with its miner side replaced by the baseline miner `name` (see `miner.baselines`):
 * the same synapses, validator and name, served by the baseline's own setup and handlers, and no
 * tensor model to load or train. Throws naming the baselines the plugin has when `name` is not one.
 */
export function baselinePlugin(plugin: AnySubnetPlugin, name: string): AnySubnetPlugin {
  const baseline = plugin.miner.baselines?.[name];
  if (!baseline) {
    const known = Object.keys(plugin.miner.baselines ?? {});
    throw new Error(
      `subnet ${plugin.name} has no baseline miner "${name}"; ${known.length ? `it has ${known.join(', ')}` : 'it declares no miner.baselines'}`,
    );
  }
  return {
    ...plugin,
    miner: {
      setup: baseline.setup ? (ctx) => baseline.setup!(ctx) : () => null,
      forward: baseline.forward,
      ...(baseline.forwardBatch ? { forwardBatch: baseline.forwardBatch } : {}),
    },
  };
}
