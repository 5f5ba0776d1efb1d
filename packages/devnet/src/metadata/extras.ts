import type { PalletSpec } from './types.js';

/**
 * Items the devnet adds on top of the real spec-381 surface. Each one is listed in the README.
 * The conformance test checks that none of them collides with a real name or index.
 */
export const EXTRAS: PalletSpec[] = [
  {
    name: 'SubtensorModule',
    index: 7,
    storage: [
      // From newer subtensor (the "dynamic tempo" scheduler); here they mirror the legacy schedule.
      {
        name: 'LastEpochBlock',
        modifier: 'Default',
        fallback: '0x0000000000000000',
        hashers: ['Identity'],
        keys: ['u16'],
        value: 'u64',
      },
      {
        name: 'SubnetEpochIndex',
        modifier: 'Default',
        fallback: '0x0000000000000000',
        hashers: ['Identity'],
        keys: ['u16'],
        value: 'u64',
      },
    ],
  },
  {
    name: 'AdminUtils',
    index: 19,
    calls: [
      // Removed from spec 381; restored at its historical index so MaxWeightsLimit can be set.
      {
        name: 'sudo_set_max_weight_limit',
        index: 12,
        fields: [
          ['netuid', 'u16', 'NetUid'],
          ['max_weight_limit', 'u16', 'u16'],
        ],
      },
    ],
  },
];
