/**
 * Which subtensor runtime the client talks to, read from the connected chain's own metadata (never from a
 * spec-version table): the devnet and older runtimes (spec 381 to ~395) have one shape, the runtime source
 * since 2026-05 (spec 425) another. The devnet README's "Runtime versions" section lists every difference
 * and what the client does about it. Pure: takes a registry whose metadata is set (`api.registry`).
 */
import type { ApiOptions } from '@polkadot/api/types';
import type { Metadata } from '@polkadot/types';
import type { Registry } from '@polkadot/types/types';
import { allExtensions } from '@polkadot/types/extrinsic/signedExtensions';
import { blocksUntilNextEpoch } from '@subnetkit/core';
import { ChainError } from './errors.js';

type ExtDef = NonNullable<ApiOptions['signedExtensions']>;

/** How the subnet's epochs are scheduled. */
export type EpochSchedule =
  /** Spec ≤ 395: an epoch runs when `(block + netuid + 1) % (tempo + 1) == 0`. */
  | 'legacy'
  /**
   * Spec 425 ("dynamic tempo"): an epoch runs `tempo` blocks after `LastEpochBlock`, or at `PendingEpochAt`
   * (owner-triggered); `SubnetEpochIndex` counts epochs and is the commit-reveal epoch.
   */
  | 'stateful';

/** One transaction extension the runtime declares. */
export interface ExtensionShape {
  identifier: string;
  /** True when it adds bytes to the extrinsic (explicit) or to the signed payload (implicit). */
  carriesData: boolean;
  /** True when @polkadot/types encodes it without help (FRAME's own extensions). */
  builtin: boolean;
}

/** What subnetkit needs to know about the connected runtime. */
export interface RuntimeShape {
  specVersion: number;
  epochSchedule: EpochSchedule;
  /** `blocks`: `ActivityCutoff` (u16 blocks). `tempoFactor`: `ActivityCutoffFactorMilli` × tempo / 1000. */
  activityCutoff: 'blocks' | 'tempoFactor';
  /** `Rank`/`Trust`/`PruningScores` still declared (dropped from the runtime source on 2026-04-07). */
  rankTrust: boolean;
  /** Per-coldkey stake shares: U64F64 `Alpha`/`TotalHotkeyShares`, or `AlphaV2`/`TotalHotkeySharesV2`. */
  stakeShares: 'Alpha' | 'AlphaV2';
  /** `set_mechanism_weights` and the other `*_mechanism_*` weight calls (mecid) exist. */
  mechanismWeights: boolean;
  /** `commit_timelocked_weights` (commit-reveal v3/v4) exists. */
  timelockedCommits: boolean;
  extensions: ExtensionShape[];
}

interface PalletLike {
  name: { toString(): string };
  storage: { isSome: boolean; unwrap(): { items: { name: { toString(): string } }[] } };
  calls: { isSome: boolean; unwrap(): { type: { toNumber(): number } } };
}

function subtensorPallet(registry: Registry): PalletLike | undefined {
  const pallets = registry.metadata.pallets as unknown as PalletLike[];
  return pallets.find((p) => p.name.toString() === 'SubtensorModule');
}

function storageNames(p: PalletLike | undefined): Set<string> {
  if (!p?.storage.isSome) return new Set();
  return new Set(p.storage.unwrap().items.map((i) => i.name.toString()));
}

function callNames(registry: Registry, p: PalletLike | undefined): Set<string> {
  if (!p?.calls.isSome) return new Set();
  const def = registry.lookup.getSiType(p.calls.unwrap().type.toNumber()).def;
  return new Set(def.isVariant ? def.asVariant.variants.map((v) => v.name.toString()) : []);
}

/** True when a metadata type id encodes to zero bytes (unit, empty tuple or composite of empty types). */
function isEmptyType(registry: Registry, id: number, depth = 0): boolean {
  if (depth > 16) return false;
  const def = registry.lookup.getSiType(id).def;
  if (def.isTuple) return def.asTuple.every((t) => isEmptyType(registry, t.toNumber(), depth + 1));
  if (def.isComposite) {
    return def.asComposite.fields.every((f) => isEmptyType(registry, f.type.toNumber(), depth + 1));
  }
  if (def.isArray) return def.asArray.len.toNumber() === 0;
  return false;
}

interface ExtensionMeta {
  identifier: { toString(): string };
  type: { toNumber(): number };
  implicit?: { toNumber(): number };
  additionalSigned?: { toNumber(): number };
}

/**
 * The extensions as the chain served them: V16's `transactionExtensions` (with `implicit`), or V14/V15's
 * `signedExtensions` (with `additionalSigned`). Not the V15→V16 conversion of `registry.metadata`:
 * @polkadot/types 16.5 drops `additionalSigned` there (it writes `implict`), leaving type 0.
 */
function extensionsOf(metadata: Metadata): ExtensionMeta[] {
  const v = metadata.version;
  if (v >= 16) return [...metadata.asLatest.extrinsic.transactionExtensions] as unknown as ExtensionMeta[];
  const served = (
    metadata as unknown as Record<string, { extrinsic: { signedExtensions: ExtensionMeta[] } }>
  )[`asV${v}`];
  return [...(served?.extrinsic.signedExtensions ?? [])];
}

const implicitOf = (e: ExtensionMeta) => (e.implicit ?? e.additionalSigned)!.toNumber();

/** Reads the runtime shape from the chain's metadata (`api.runtimeMetadata`; its registry has it set). */
export function detectRuntimeShape(metadata: Metadata): RuntimeShape {
  const registry = metadata.registry;
  const p = subtensorPallet(registry);
  const storage = storageNames(p);
  const calls = callNames(registry, p);
  const consts = registry.metadata.pallets.find((x) => x.name.toString() === 'System')?.constants;
  const version = consts?.find((c) => c.name.toString() === 'Version');
  let specVersion = 0;
  if (version) {
    const v = registry.createType('RuntimeVersion', version.value.toU8a(true)) as unknown as {
      specVersion: { toNumber(): number };
    };
    specVersion = v.specVersion.toNumber();
  }
  return {
    specVersion,
    epochSchedule: storage.has('PendingEpochAt') && storage.has('LastEpochBlock') ? 'stateful' : 'legacy',
    activityCutoff: storage.has('ActivityCutoffFactorMilli') ? 'tempoFactor' : 'blocks',
    rankTrust: storage.has('Rank') && storage.has('Trust'),
    stakeShares: storage.has('AlphaV2') ? 'AlphaV2' : 'Alpha',
    mechanismWeights: calls.has('set_mechanism_weights'),
    timelockedCommits: calls.has('commit_timelocked_weights'),
    extensions: extensionsOf(metadata).map((e) => {
      const identifier = e.identifier.toString();
      return {
        identifier,
        carriesData: !isEmptyType(registry, e.type.toNumber()) || !isEmptyType(registry, implicitOf(e)),
        builtin: identifier in allExtensions,
      };
    }),
  };
}

/** `{field: 'LookupN'}` for a composite type, or `{<name>: 'LookupN'}` for any other non-empty type. */
function fieldsOf(registry: Registry, id: number, name: string): Record<string, string> {
  if (isEmptyType(registry, id)) return {};
  const def = registry.lookup.getSiType(id).def;
  if (def.isComposite && def.asComposite.fields.every((f) => f.name.isSome)) {
    const out: Record<string, string> = {};
    for (const f of def.asComposite.fields) {
      if (isEmptyType(registry, f.type.toNumber())) continue;
      out[`${name}${f.name.unwrap().toString()}`] = registry.createLookupType(f.type.toNumber());
    }
    return out;
  }
  return { [name]: registry.createLookupType(id) };
}

/**
 * Extension definitions for @polkadot/api (`signedExtensions`) covering every extension the metadata declares
 * that neither @polkadot/types nor `known` defines: a zero-byte one is declared empty (what @polkadot/api
 * assumes anyway, minus the warning); one that carries bytes gets its explicit and implicit fields with the
 * metadata's own types (field names prefixed with the lower-camel identifier), encoded with default (zero)
 * values unless the signer options name them.
 */
export function metadataSignedExtensions(metadata: Metadata, known: ExtDef = {}): ExtDef {
  const registry = metadata.registry;
  const out: ExtDef = {};
  for (const e of extensionsOf(metadata)) {
    const id = e.identifier.toString();
    if (id in allExtensions || id in known) continue;
    const prefix = id.charAt(0).toLowerCase() + id.slice(1);
    out[id] = {
      extrinsic: fieldsOf(registry, e.type.toNumber(), prefix),
      payload: fieldsOf(registry, implicitOf(e), `${prefix}Implicit`),
    };
  }
  return out;
}

/**
 * Adds {@link metadataSignedExtensions} to `userExtensions` (the object given to `ApiPromise` as
 * `signedExtensions`) and re-declares the registry's extensions when any was missing, so an extension the
 * runtime added since this client was written is encoded as the metadata says instead of being dropped.
 */
export function declareMetadataExtensions(metadata: Metadata, userExtensions: ExtDef): void {
  const derived = metadataSignedExtensions(metadata, userExtensions);
  if (Object.keys(derived).length === 0) return;
  Object.assign(userExtensions, derived);
  metadata.registry.setSignedExtensions(metadata.registry.signedExtensions, userExtensions);
}

/**
 * Activity cutoff in blocks as the runtime's epoch applies it: `ActivityCutoff` on `blocks` runtimes,
 * `max(1, floor(ActivityCutoffFactorMilli × tempo / 1000))` on `tempoFactor` runtimes (subtensor
 * `get_activity_cutoff_blocks`).
 */
export function effectiveActivityCutoff(a: {
  activityCutoff?: number;
  activityCutoffFactorMilli?: number;
  tempo: number;
}): number | undefined {
  if (a.activityCutoffFactorMilli !== undefined) {
    return Math.max(1, Math.floor((a.activityCutoffFactorMilli * a.tempo) / 1000));
  }
  return a.activityCutoff;
}

/** State the stateful schedule needs; absent items on legacy runtimes. */
export interface EpochScheduleState {
  block: number;
  netuid: number;
  tempo: number;
  /** `LastEpochBlock[netuid]` (stateful runtimes). */
  lastEpochBlock?: number;
  /** `PendingEpochAt[netuid]`, 0 when no manual epoch is pending. */
  pendingEpochAt?: number;
}

/**
 * The block in which the subnet's next epoch runs, as seen at `block` (none when tempo is 0). `legacy`:
 * the next block with `(b + netuid + 1) % (tempo + 1) == 0` (this block if it is one). `stateful`: subtensor's
 * `get_next_epoch_start_block`, `min(LastEpochBlock + tempo, PendingEpochAt if set)`, not before `block`.
 */
export function nextEpochBlock(schedule: EpochSchedule, s: EpochScheduleState): number | undefined {
  if (s.tempo === 0) return undefined;
  if (schedule === 'legacy') {
    return s.block + blocksUntilNextEpoch(s.block, s.netuid, s.tempo);
  }
  if (s.lastEpochBlock === undefined) {
    throw new ChainError(
      'StorageUnavailable',
      'the stateful epoch schedule needs LastEpochBlock; read it from the chain (SubtensorModule.LastEpochBlock)',
    );
  }
  const auto = s.lastEpochBlock + s.tempo;
  const next = s.pendingEpochAt ? Math.min(auto, s.pendingEpochAt) : auto;
  return Math.max(next, s.block);
}
