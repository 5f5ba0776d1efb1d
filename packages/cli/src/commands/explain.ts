/**
 * `subnetkit explain --netuid <n> --uid <u> [--block <b>]`: why a uid has its incentive, dividends and
 * emission. Finds the epoch that produced the values stored at the block (the last one at or before it),
 * re-runs it with @subnetkit/core's `runEpoch` over the inputs read from chain state, checks that it
 * reproduces the stored values, and prints core's explanation (`explainUid`). Only I/O and printing here.
 */
import type { BlockRef, SubtensorClient } from '@subnetkit/chain';
import {
  fixCommand,
  netuidStorageIndex,
  runEpoch,
  type StoredEpochValues,
  type UidExplanation,
  explainUid,
} from '@subnetkit/core';
import type { Command } from 'commander';
import { withClient } from '../client.js';
import { type ChainFlags, parseBlock, parseUid, withChainOptions, withNetuidOption } from '../options.js';
import { printTable, toJson } from '../output.js';

interface ExplainFlags extends ChainFlags {
  netuid: number;
  uid: number;
  block?: number;
}

/** What `subnetkit explain` prints: where the values come from, and core's explanation. */
export interface ExplainReport extends UidExplanation {
  netuid: number;
  /** The block whose stored values are explained. */
  block: number;
  hotkey: string;
}

const bigints = (v: unknown): bigint[] => ((v as unknown[] | null) ?? []).map((x) => BigInt(String(x ?? 0)));
const numbers = (v: unknown): number[] => ((v as unknown[] | null) ?? []).map((x) => Number(x ?? 0));

/**
 * The block of the last epoch of `netuid` at or before `at`: `LastMechansimStepBlock` (subtensor sets it
 * in the block its epoch runs in), else `LastEpochBlock`.
 */
async function lastEpochBlock(c: SubtensorClient, netuid: number, at: BlockRef): Promise<number> {
  for (const item of ['lastMechansimStepBlock', 'lastEpochBlock']) {
    if (!c.storage.has(item)) continue;
    const v = Number((await c.query(item, [netuid], at))?.toString() ?? 0);
    if (v > 0) return v;
  }
  const next = await c.nextEpochBlock(netuid, at);
  throw new Error(
    `no epoch has run on netuid ${netuid} at or before block ${at.number}, so no uid has incentive yet; ${
      next === undefined
        ? 'the subnet has tempo 0 (epochs disabled)'
        : `the next one runs in block ${next}: explain a later block`
    }`,
  );
}

/** The epoch outputs stored at `at` (u16 vectors, u64 emission, bond rows), exactly as stored. */
async function readStored(c: SubtensorClient, netuid: number, at: BlockRef): Promise<StoredEpochValues> {
  const vec = async (item: string, key: number) => (await c.query(item, [key], at))?.toJSON() ?? [];
  const [incentive, dividends, consensus, validatorTrust, emission, trust, rank, meta] = await Promise.all([
    vec('incentive', netuidStorageIndex(netuid)),
    vec('dividends', netuid),
    vec('consensus', netuid),
    vec('validatorTrust', netuid),
    vec('emission', netuid),
    c.storage.has('trust') ? vec('trust', netuid) : undefined,
    c.storage.has('rank') ? vec('rank', netuid) : undefined,
    c.syncMetagraph(netuid, { block: at.number, bonds: true }),
  ]);
  const stored: StoredEpochValues = {
    incentive: numbers(incentive),
    dividends: numbers(dividends),
    consensus: numbers(consensus),
    validatorTrust: numbers(validatorTrust),
    emission: bigints(emission),
  };
  if (trust !== undefined) stored.trust = numbers(trust);
  if (rank !== undefined) stored.rank = numbers(rank);
  if (meta.bonds) stored.bonds = meta.bonds;
  return stored;
}

/** Reads the chain and explains `uid`'s values at `block` (default: the best block). */
export async function explainFromChain(
  c: SubtensorClient,
  netuid: number,
  uid: number,
  block?: number,
): Promise<ExplainReport> {
  const at = await c.block(block);
  if (!(await c.subnetExists(netuid, at))) {
    throw new Error(
      `netuid ${netuid} does not exist at block ${at.number} on ${c.url}; check --netuid and --chain`,
    );
  }
  const epochBlock = await lastEpochBlock(c, netuid, at);
  const input = await c.readEpochInputs(netuid, epochBlock);
  if (uid >= input.n) {
    throw new Error(
      `uid ${uid} is not on netuid ${netuid} at block ${epochBlock} (it has ${input.n} uids); list them with ${fixCommand('subnet metagraph', { '--netuid': netuid })}`,
    );
  }
  const [stored, hotkey] = await Promise.all([
    readStored(c, netuid, at),
    c.query('keys', [netuid, uid], at).then((v) => v?.toString() ?? ''),
  ]);
  return { netuid, block: at.number, hotkey, ...explainUid(input, runEpoch(input), uid, stored) };
}

const f = (x: number, d = 6) => x.toFixed(d);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const alpha = (rao: bigint) => `${(Number(rao) / 1e9).toFixed(9)} α`;

/** Prints an explanation as text. */
export function printExplanation(x: ExplainReport): void {
  const line = (s = '') => console.log(s);
  line(`netuid ${x.netuid} uid ${x.uid} (${x.hotkey}) at block ${x.block}`);
  line(
    `values from the epoch that ran in block ${x.epochBlock} (re-run from the state of block ${x.epochBlock - 1})`,
  );
  const r = x.reproduction;
  if (r?.exact) line(`reproduced exactly: ${r.compared.join(', ')} equal the stored values`);
  else if (r) {
    line('NOT reproduced: the re-run epoch differs from the stored values');
    printTable(
      ['field', 'stored', 're-run'],
      r.differences.map((d) => [d.field, d.stored, d.computed]),
    );
  }
  line();
  line(
    `stake ${alpha(x.stake)} (${pct(x.stakeShare)} of stake, ${pct(x.activeStake)} of active stake), validator permit ${x.validatorPermit ? 'yes' : 'no'}, ${x.active ? 'active' : 'inactive'}, last update ${x.lastUpdate}, registered at ${x.registeredAt}`,
  );
  line();
  const m = x.miner;
  const weighted = m.votes.filter((v) => v.storedWeight > 0 || v.bondBefore > 0 || v.bondAfter > 0);
  if (weighted.length === 0) {
    line(`As a miner: no validator weights uid ${x.uid} or holds a bond in it, so its incentive is 0`);
  } else {
    line(`As a miner: consensus ${f(m.consensus)} (u16 ${x.values.consensus})`);
    printTable(
      [
        'validator',
        'stake',
        'active stake',
        'stored weight',
        'weight',
        'clipped by',
        'clipped',
        'rank +',
        'bond before',
        'bond after',
      ],
      m.votes.map((v) => [
        v.uid,
        alpha(v.stake),
        pct(v.activeStake),
        v.storedWeight,
        v.dropped ? `dropped (${v.dropped})` : f(v.weight),
        f(v.clippedBy),
        f(v.clippedWeight),
        f(v.rankContribution),
        f(v.bondBefore),
        f(v.bondAfter) + (v.liquidAlpha === undefined ? '' : ` (α ${f(v.liquidAlpha, 4)})`),
      ]),
    );
    line(
      `rank before clipping ${f(m.preranks)}, after ${f(m.ranks)} (trust ${f(m.trust, 4)}) -> incentive ${f(m.incentive)} (u16 ${x.values.incentive}), miner emission ${alpha(m.emission)}`,
    );
  }
  line();
  const v = x.validator;
  if (!x.validatorPermit && v.bonds.length === 0 && v.dividends === 0) {
    line(
      `As a validator: uid ${x.uid} had no validator permit in this epoch and holds no bonds: no dividends`,
    );
  } else {
    line(
      `As a validator: validator trust ${f(v.validatorTrust)} (u16 ${x.values.validatorTrust}), dividends ${f(v.dividends)} (u16 ${x.values.dividends}), validator emission ${alpha(v.emission)}`,
    );
    if (v.bonds.length) {
      printTable(
        ['miner', 'bond', 'bond share', 'miner incentive', 'contribution'],
        v.bonds.map((b) => [b.uid, f(b.bond), pct(b.share), f(b.incentive), f(b.contribution)]),
      );
    }
  }
  line();
  line(`emission ${alpha(x.emission)} of the epoch's ${alpha(x.epochEmission)}`);
  line();
  printTable(
    ['hyperparameter', 'value', 'effect'],
    x.hyperparameters.map((h) => [
      h.name,
      Array.isArray(h.value) ? h.value.join(',') : String(h.value),
      h.effect,
    ]),
  );
}

/** Registers `subnetkit explain`. */
export function registerExplainCommand(program: Command): void {
  withNetuidOption(withChainOptions(program.command('explain')))
    .description(
      "why a uid got its incentive, dividends and emission: re-run the epoch that produced them from chain state and show each validator's vote",
    )
    .requiredOption('--uid <u>', 'uid to explain', parseUid)
    .option('--block <b>', 'explain the values stored at this block (default: the best block)', parseBlock)
    .action(async (o: ExplainFlags) => {
      const x = await withClient(o.chain, (c) => explainFromChain(c, o.netuid, o.uid, o.block));
      if (o.json) console.log(toJson(x));
      else printExplanation(x);
    });
}
