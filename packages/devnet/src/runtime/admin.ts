/**
 * AdminUtils hyperparameter setters: origin (root, or root/subnet owner), subnet existence, the admin
 * freeze window, bounds, the storage write and subtensor's event.
 */
import { u8aEq } from '@polkadot/util';
import { badOrigin, moduleError, st } from './errors.js';
import type { Origin, Runtime } from './runtime.js';
import type { Subtensor } from './subtensor.js';

interface Setter {
  /** Storage item in SubtensorModule. */
  item: string;
  /** Name of the value argument. */
  arg: string;
  /** Who may call: root only, or root or the subnet owner. */
  owner?: boolean;
  /** Subject to the admin freeze window. */
  freeze?: boolean;
  /** Event in SubtensorModule (fields: netuid?, value). */
  event?: string;
  /** Extra check before writing. */
  check?: (rt: Runtime, netuid: number, v: unknown) => void;
  /** Value conversion before storing (e.g. u64 → u16 storage). */
  map?: (v: unknown) => unknown;
}

const NETUID_SETTERS: Record<string, Setter> = {
  sudo_set_serving_rate_limit: {
    item: 'ServingRateLimit',
    arg: 'serving_rate_limit',
    owner: true,
    freeze: true,
    event: 'ServingRateLimitSet',
  },
  sudo_set_weights_version_key: {
    item: 'WeightsVersionKey',
    arg: 'weights_version_key',
    owner: true,
    freeze: true,
    event: 'WeightsVersionKeySet',
  },
  sudo_set_weights_set_rate_limit: {
    item: 'WeightsSetRateLimit',
    arg: 'weights_set_rate_limit',
    event: 'WeightsSetRateLimitSet',
  },
  sudo_set_adjustment_interval: {
    item: 'AdjustmentInterval',
    arg: 'adjustment_interval',
    freeze: true,
    event: 'AdjustmentIntervalSet',
  },
  sudo_set_immunity_period: {
    item: 'ImmunityPeriod',
    arg: 'immunity_period',
    owner: true,
    freeze: true,
    event: 'ImmunityPeriodSet',
  },
  sudo_set_min_allowed_weights: {
    item: 'MinAllowedWeights',
    arg: 'min_allowed_weights',
    owner: true,
    freeze: true,
    event: 'MinAllowedWeightSet',
  },
  sudo_set_max_allowed_uids: {
    item: 'MaxAllowedUids',
    arg: 'max_allowed_uids',
    owner: true,
    freeze: true,
    event: 'MaxAllowedUidsSet',
    check: (rt, netuid, v) => {
      if ((v as number) < rt.state.get<number>('SubtensorModule.SubnetworkN', netuid))
        throw moduleError('AdminUtils', 'MaxAllowedUIdsLessThanCurrentUIds');
      if ((v as number) < rt.state.get<number>('SubtensorModule.MinAllowedUids', netuid))
        throw moduleError('AdminUtils', 'MaxAllowedUidsLessThanMinAllowedUids');
    },
  },
  sudo_set_kappa: { item: 'Kappa', arg: 'kappa', freeze: true, event: 'KappaSet' },
  sudo_set_rho: { item: 'Rho', arg: 'rho', owner: true, freeze: true, event: 'RhoSet' },
  sudo_set_activity_cutoff: {
    item: 'ActivityCutoff',
    arg: 'activity_cutoff',
    owner: true,
    freeze: true,
    event: 'ActivityCutoffSet',
    check: (rt, _n, v) => {
      if ((v as number) < rt.state.get<number>('SubtensorModule.MinActivityCutoff'))
        throw st('ActivityCutoffTooLow');
    },
  },
  sudo_set_network_registration_allowed: {
    item: 'NetworkRegistrationAllowed',
    arg: 'registration_allowed',
    event: 'RegistrationAllowed',
  },
  sudo_set_network_pow_registration_allowed: {
    item: 'NetworkPowRegistrationAllowed',
    arg: 'registration_allowed',
    owner: true,
    event: 'PowRegistrationAllowed',
  },
  sudo_set_target_registrations_per_interval: {
    item: 'TargetRegistrationsPerInterval',
    arg: 'target_registrations_per_interval',
    freeze: true,
    event: 'RegistrationPerIntervalSet',
  },
  sudo_set_min_burn: { item: 'MinBurn', arg: 'min_burn', owner: true, freeze: true, event: 'MinBurnSet' },
  sudo_set_max_burn: { item: 'MaxBurn', arg: 'max_burn', owner: true, freeze: true, event: 'MaxBurnSet' },
  sudo_set_difficulty: { item: 'Difficulty', arg: 'difficulty', freeze: true, event: 'DifficultySet' },
  sudo_set_max_allowed_validators: {
    item: 'MaxAllowedValidators',
    arg: 'max_allowed_validators',
    freeze: true,
    event: 'MaxAllowedValidatorsSet',
    check: (rt, netuid, v) => {
      if ((v as number) > rt.state.get<number>('SubtensorModule.MaxAllowedUids', netuid))
        throw moduleError('AdminUtils', 'MaxValidatorsLargerThanMaxUIds');
    },
  },
  sudo_set_bonds_moving_average: {
    item: 'BondsMovingAverage',
    arg: 'bonds_moving_average',
    owner: true,
    freeze: true,
    event: 'BondsMovingAverageSet',
  },
  sudo_set_bonds_penalty: {
    item: 'BondsPenalty',
    arg: 'bonds_penalty',
    owner: true,
    freeze: true,
    event: 'BondsPenaltySet',
  },
  sudo_set_max_registrations_per_block: {
    item: 'MaxRegistrationsPerBlock',
    arg: 'max_registrations_per_block',
    freeze: true,
    event: 'MaxRegistrationsPerBlockSet',
  },
  sudo_set_tempo: { item: 'Tempo', arg: 'tempo', freeze: true, event: 'TempoSet' },
  sudo_set_commit_reveal_weights_enabled: {
    item: 'CommitRevealWeightsEnabled',
    arg: 'enabled',
    owner: true,
    freeze: true,
    event: 'CommitRevealEnabled',
  },
  sudo_set_liquid_alpha_enabled: { item: 'LiquidAlphaOn', arg: 'enabled', owner: true, freeze: true },
  sudo_set_commit_reveal_weights_interval: {
    item: 'RevealPeriodEpochs',
    arg: 'interval',
    owner: true,
    freeze: true,
    event: 'CommitRevealPeriodsSet',
    check: (_rt, _n, v) => {
      if ((v as bigint) > 100n) throw st('RevealPeriodTooLarge');
      if ((v as bigint) < 1n) throw st('RevealPeriodTooSmall');
    },
  },
  sudo_set_subtoken_enabled: { item: 'SubtokenEnabled', arg: 'subtoken_enabled', freeze: true },
  sudo_set_min_allowed_uids: {
    item: 'MinAllowedUids',
    arg: 'min_allowed_uids',
    freeze: true,
    event: 'MinAllowedUidsSet',
    check: (rt, netuid, v) => {
      if ((v as number) > rt.state.get<number>('SubtensorModule.MaxAllowedUids', netuid))
        throw moduleError('AdminUtils', 'MinAllowedUidsGreaterThanMaxAllowedUids');
    },
  },
  sudo_set_max_weight_limit: {
    item: 'MaxWeightsLimit',
    arg: 'max_weight_limit',
    owner: true,
    freeze: true,
    event: 'MaxWeightLimitSet',
  },
};

const GLOBAL_SETTERS: Record<string, Setter> = {
  sudo_set_tx_rate_limit: { item: 'TxRateLimit', arg: 'tx_rate_limit', event: 'TxRateLimitSet' },
  sudo_set_network_rate_limit: { item: 'NetworkRateLimit', arg: 'rate_limit', event: 'NetworkRateLimitSet' },
  sudo_set_network_min_lock_cost: {
    item: 'NetworkMinLockCost',
    arg: 'lock_cost',
    event: 'NetworkMinLockCostSet',
  },
  sudo_set_lock_reduction_interval: {
    item: 'NetworkLockReductionInterval',
    arg: 'interval',
    event: 'NetworkLockCostReductionIntervalSet',
  },
  sudo_set_stake_threshold: { item: 'StakeThreshold', arg: 'min_stake', event: 'StakeThresholdSet' },
  sudo_set_commit_reveal_version: {
    item: 'CommitRevealWeightsVersion',
    arg: 'version',
    event: 'CommitRevealVersionSet',
  },
  sudo_set_admin_freeze_window: { item: 'AdminFreezeWindow', arg: 'window', event: 'AdminFreezeWindowSet' },
  sudo_set_owner_hparam_rate_limit: {
    item: 'OwnerHyperparamRateLimit',
    arg: 'epochs',
    event: 'OwnerHyperparamRateLimitSet',
  },
  sudo_set_start_call_delay: { item: 'StartCallDelay', arg: 'delay', event: 'StartCallDelaySet' },
};

export function registerAdminUtils(rt: Runtime, sub: Subtensor): void {
  const ensureOwnerOrRoot = (o: Origin, netuid: number, ownerAllowed: boolean) => {
    if (o.kind === 'root') return;
    if (o.kind === 'signed' && ownerAllowed) {
      if (!sub.exists(netuid)) throw moduleError('AdminUtils', 'SubnetDoesNotExist');
      const owner = rt.state.get<Uint8Array>('SubtensorModule.SubnetOwner', netuid);
      if (u8aEq(owner, o.who)) return;
    }
    throw badOrigin();
  };

  for (const [call, x] of Object.entries(NETUID_SETTERS)) {
    rt.on('AdminUtils', call, (r, o, a) => {
      const netuid = a.netuid as number;
      ensureOwnerOrRoot(o, netuid, Boolean(x.owner));
      if (!sub.exists(netuid)) throw moduleError('AdminUtils', 'SubnetDoesNotExist');
      if (x.freeze) {
        const window = r.state.get<number>('SubtensorModule.AdminFreezeWindow');
        if (window > 0 && sub.blocksUntilNextEpoch(netuid, r.blockNumber) < window)
          throw st('AdminActionProhibitedDuringWeightsWindow');
      }
      const v = a[x.arg];
      x.check?.(r, netuid, v);
      r.state.set(`SubtensorModule.${x.item}`, netuid, x.map ? x.map(v) : v);
      if (x.event) r.deposit('SubtensorModule', x.event, netuid, v);
    });
  }
  rt.on('AdminUtils', 'sudo_set_yuma3_enabled', (r, o, a) => {
    const netuid = a.netuid as number;
    ensureOwnerOrRoot(o, netuid, true);
    if (!sub.exists(netuid)) throw moduleError('AdminUtils', 'SubnetDoesNotExist');
    r.state.set('SubtensorModule.Yuma3On', netuid, a.enabled);
    r.deposit('AdminUtils', 'Yuma3EnableToggled', netuid, a.enabled);
  });
  rt.on('AdminUtils', 'sudo_set_alpha_values', (r, o, a) => {
    const netuid = a.netuid as number;
    ensureOwnerOrRoot(o, netuid, true);
    if (!sub.exists(netuid)) throw moduleError('AdminUtils', 'SubnetDoesNotExist');
    r.state.set('SubtensorModule.AlphaValues', netuid, [a.alpha_low, a.alpha_high]);
  });
  for (const [call, x] of Object.entries(GLOBAL_SETTERS)) {
    rt.on('AdminUtils', call, (r, o, a) => {
      r.ensureRoot(o);
      const v = a[x.arg];
      r.state.set(`SubtensorModule.${x.item}`, v);
      if (x.event) r.deposit('SubtensorModule', x.event, v);
    });
  }
}
