import { Kind } from '@sinclair/typebox';
import { artifactDefinition } from './artifact.js';
import type { SubnetDefinition, SubnetPlugin, SynapseDefinition, SynapseMap } from './types.js';

/** A subnet definition that cannot work; the message names the field and the fix. */
export class SubnetDefinitionError extends Error {
  override readonly name = 'SubnetDefinitionError';
}

const NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;
// Synapse names become URL path segments and Python-style class names on the wire.
const SYNAPSE_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

function isObjectSchema(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[Kind] === 'Object' &&
    (value as { type?: unknown }).type === 'object'
  );
}

const PROTOCOLS: readonly string[] = ['btauth', 'legacy'];

function checkProtocol(where: string, field: string, value: unknown): void {
  if (value !== undefined && !PROTOCOLS.includes(value as string)) {
    throw new SubnetDefinitionError(
      `${where}: ${field} must be 'btauth' (btauth/1) or 'legacy' (Python SDK v10), got ${JSON.stringify(value)}`,
    );
  }
}

/** The wire fields of one synapse: `stream`, `protocol`, `requiredHashFields`. */
function checkSynapseWire(where: string, synapse: string, def: SynapseDefinition, batched: boolean): void {
  checkProtocol(where, `synapse ${synapse} protocol`, def.protocol);
  if (def.access !== undefined && def.access !== 'validators' && def.access !== 'registered')
    throw new SubnetDefinitionError(
      `${where}: synapse ${synapse} access must be 'validators' (default) or 'registered', got ${JSON.stringify(def.access)}`,
    );
  const fields = def.requiredHashFields;
  if (
    fields !== undefined &&
    (!Array.isArray(fields) || fields.some((f) => !(f in def.request.properties)))
  ) {
    throw new SubnetDefinitionError(
      `${where}: synapse ${synapse} requiredHashFields must list fields of its request schema`,
    );
  }
  if (def.artifact !== undefined) {
    try {
      artifactDefinition(def.artifact);
    } catch (err) {
      throw new SubnetDefinitionError(`${where}: synapse ${synapse} ${(err as Error).message}`);
    }
    if (def.stream !== undefined)
      throw new SubnetDefinitionError(
        `${where}: synapse ${synapse} cannot both stream and answer with an artifact; remove stream or artifact`,
      );
    if (batched)
      throw new SubnetDefinitionError(
        `${where}: synapse ${synapse} answers with an artifact, so it cannot have miner.forwardBatch.${synapse}; remove it`,
      );
    if (def.protocol === 'legacy')
      throw new SubnetDefinitionError(
        `${where}: synapse ${synapse} answers with an artifact, which only btauth/1 carries; remove protocol 'legacy'`,
      );
  }
  const stream = def.stream;
  if (stream === undefined) return;
  if (typeof stream.chunk !== 'object' || stream.chunk === null || typeof stream.assemble !== 'function') {
    throw new SubnetDefinitionError(
      `${where}: synapse ${synapse} stream needs a chunk schema (TypeBox) and an assemble(chunks) function`,
    );
  }
  for (const key of ['firstChunkTimeoutMs', 'maxBytes'] as const) {
    const v = stream[key];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) {
      throw new SubnetDefinitionError(`${where}: synapse ${synapse} stream.${key} must be a positive number`);
    }
  }
  if (batched) {
    throw new SubnetDefinitionError(
      `${where}: synapse ${synapse} streams, so it cannot have miner.forwardBatch.${synapse}; remove it`,
    );
  }
}

/**
 * Declare a subnet: its synapses (TypeBox request/response schemas), the miner side (`setup`,
 * `forward`, optional `forwardBatch`) and the validator side (`challenge`, `reward`).
 *
 * Types flow from the schemas into every handler, so a handler that takes or returns the wrong
 * shape is a compile error. The definition is also checked at run time (names, version key,
 * one forward per synapse) so a plugin loaded from JavaScript fails early with a clear message.
 *
 * @example
 * ```ts
 * export default defineSubnet({
 *   name: 'echo',
 *   versionKey: 1,
 *   synapses: { Add: { request: Type.Object({ a: Type.Integer(), b: Type.Integer() }),
 *                      response: Type.Object({ sum: Type.Integer() }) } },
 *   miner: { setup: () => null, forward: { Add: ({ a, b }) => ({ sum: a + b }) } },
 *   validator: {
 *     challenge: ({ random }) => { const a = Math.floor(random() * 100), b = 7;
 *       return { synapse: 'Add', request: { a, b }, truth: a + b }; },
 *     reward: (round) => round.responses.map((r) => (r.response?.sum === round.truth ? 1 : 0)),
 *   },
 * });
 * ```
 */
export function defineSubnet<const S extends SynapseMap, Model, Truth>(
  definition: SubnetDefinition<S, Model, Truth>,
): SubnetPlugin<S, Model, Truth> {
  const where = `subnet ${JSON.stringify(definition?.name)}`;
  if (typeof definition !== 'object' || definition === null) {
    throw new SubnetDefinitionError(
      'defineSubnet expects an object with name, versionKey, synapses, miner and validator',
    );
  }
  if (typeof definition.name !== 'string' || !NAME_RE.test(definition.name)) {
    throw new SubnetDefinitionError(
      `${where}: name must be lowercase letters, digits and dashes, starting with a letter (e.g. "echo")`,
    );
  }
  if (!Number.isSafeInteger(definition.versionKey) || definition.versionKey < 0) {
    throw new SubnetDefinitionError(
      `${where}: versionKey must be a non-negative integer (got ${String(definition.versionKey)}); it is sent as u64 with set_weights`,
    );
  }
  const synapses = definition.synapses;
  if (typeof synapses !== 'object' || synapses === null || Object.keys(synapses).length === 0) {
    throw new SubnetDefinitionError(`${where}: synapses must name at least one synapse`);
  }
  const synapseNames = Object.keys(synapses) as (keyof S & string)[];
  for (const synapse of synapseNames) {
    if (!SYNAPSE_RE.test(synapse)) {
      throw new SubnetDefinitionError(
        `${where}: synapse name "${synapse}" must be letters, digits and underscores, starting with a letter (it becomes the route POST /${synapse})`,
      );
    }
    const def = synapses[synapse]!;
    if (!isObjectSchema(def.request) || !isObjectSchema(def.response)) {
      throw new SubnetDefinitionError(
        `${where}: synapse ${synapse} needs TypeBox object schemas for request and response (Type.Object({...}))`,
      );
    }
    if (def.timeoutMs !== undefined && (!Number.isFinite(def.timeoutMs) || def.timeoutMs <= 0)) {
      throw new SubnetDefinitionError(
        `${where}: synapse ${synapse} timeoutMs must be a positive number of milliseconds`,
      );
    }
    if (typeof definition.miner?.forward?.[synapse] !== 'function') {
      throw new SubnetDefinitionError(
        `${where}: miner.forward.${synapse} is missing; every synapse needs a forward handler`,
      );
    }
    const batch = definition.miner.forwardBatch?.[synapse];
    if (batch !== undefined && typeof batch !== 'function') {
      throw new SubnetDefinitionError(
        `${where}: miner.forwardBatch.${synapse} must be a function when given`,
      );
    }
    checkSynapseWire(where, synapse, def, batch !== undefined);
  }
  checkProtocol(where, 'protocol', definition.protocol);
  for (const extra of Object.keys(definition.miner?.forward ?? {})) {
    if (!(extra in synapses)) {
      throw new SubnetDefinitionError(
        `${where}: miner.forward.${extra} has no synapse of that name in synapses`,
      );
    }
  }
  if (typeof definition.miner.setup !== 'function') {
    throw new SubnetDefinitionError(
      `${where}: miner.setup must be a function that loads or trains the model`,
    );
  }
  checkModelSpec(where, definition);
  checkBaselines(where, definition);
  if (
    typeof definition.validator?.challenge !== 'function' ||
    typeof definition.validator?.reward !== 'function'
  ) {
    throw new SubnetDefinitionError(`${where}: validator needs challenge() and reward() functions`);
  }
  return Object.freeze({ ...definition, kind: 'subnetkit.subnet' as const, synapseNames });
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((d) => Number.isSafeInteger(d) && d > 0);
}

/** Directory names under the data dir: one plain segment, no traversal. */
const MODEL_DIR_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkModelSpec<S extends SynapseMap>(
  where: string,
  definition: SubnetDefinition<S, unknown, unknown>,
) {
  const { model, train } = definition.miner;
  if (train !== undefined && typeof train !== 'function') {
    throw new SubnetDefinitionError(`${where}: miner.train must be a function when given`);
  }
  if (model === undefined) {
    if (train !== undefined) {
      throw new SubnetDefinitionError(
        `${where}: miner.train needs miner.model ({ synapse, inputShape, outputShape }) to say where the trained model goes`,
      );
    }
    return;
  }
  if (typeof model !== 'object' || model === null) {
    throw new SubnetDefinitionError(
      `${where}: miner.model must be an object { synapse, inputShape, outputShape }`,
    );
  }
  if (!(typeof model.synapse === 'string' && model.synapse in definition.synapses)) {
    throw new SubnetDefinitionError(
      `${where}: miner.model.synapse ${JSON.stringify(model.synapse)} is not one of the synapses (${Object.keys(definition.synapses).join(', ')})`,
    );
  }
  for (const key of ['inputShape', 'outputShape'] as const) {
    if (!isShape(model[key])) {
      throw new SubnetDefinitionError(
        `${where}: miner.model.${key} must be a non-empty array of positive integers (the per-example shape, without the batch axis)`,
      );
    }
  }
  if (model.dir !== undefined && !(typeof model.dir === 'string' && MODEL_DIR_RE.test(model.dir))) {
    throw new SubnetDefinitionError(
      `${where}: miner.model.dir must be one directory name under the data dir (letters, digits, '.', '_', '-'), e.g. "model"`,
    );
  }
}

/** Baseline miners serve every synapse with functions; `underTrained` needs `train`. */
function checkBaselines<S extends SynapseMap>(
  where: string,
  definition: SubnetDefinition<S, unknown, unknown>,
) {
  const { baselines, underTrained, train } = definition.miner;
  if (underTrained !== undefined) {
    if (train === undefined) {
      throw new SubnetDefinitionError(`${where}: miner.underTrained needs miner.train to train with`);
    }
    for (const key of ['epochs', 'subset'] as const) {
      const n = underTrained[key];
      if (n !== undefined && !(Number.isSafeInteger(n) && n > 0)) {
        throw new SubnetDefinitionError(`${where}: miner.underTrained.${key} must be a positive integer`);
      }
    }
  }
  if (baselines === undefined) return;
  if (typeof baselines !== 'object' || baselines === null) {
    throw new SubnetDefinitionError(`${where}: miner.baselines must be an object of baseline miners by name`);
  }
  for (const [name, baseline] of Object.entries(baselines)) {
    const at = `${where}: miner.baselines.${name}`;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
      throw new SubnetDefinitionError(`${at}: a baseline name is lowercase letters, digits and dashes`);
    }
    if (typeof baseline?.description !== 'string' || baseline.description.length === 0) {
      throw new SubnetDefinitionError(`${at}.description must say in one line what it answers`);
    }
    if (baseline.setup !== undefined && typeof baseline.setup !== 'function') {
      throw new SubnetDefinitionError(`${at}.setup must be a function when given`);
    }
    for (const synapse of Object.keys(definition.synapses)) {
      if (typeof baseline.forward?.[synapse] !== 'function') {
        throw new SubnetDefinitionError(
          `${at}.forward.${synapse} is missing; a baseline serves every synapse`,
        );
      }
      const batch = baseline.forwardBatch?.[synapse];
      if (batch !== undefined && typeof batch !== 'function') {
        throw new SubnetDefinitionError(`${at}.forwardBatch.${synapse} must be a function when given`);
      }
    }
  }
}

/** True when `value` is a plugin made by {@link defineSubnet} (e.g. a dynamically imported default export). */
export function isSubnetPlugin(value: unknown): value is SubnetPlugin {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'subnetkit.subnet'
  );
}

/**
 * Check what a plugin's `reward` returned: one finite score in [0, 1] per response. Throws a
 * {@link SubnetDefinitionError} naming the subnet, the index and the value otherwise, so a buggy
 * reward never reaches the weights.
 */
export function checkRewards(subnet: string, scores: unknown, expected: number): number[] {
  if (!Array.isArray(scores)) {
    throw new SubnetDefinitionError(
      `subnet "${subnet}": reward must return an array of numbers, got ${typeof scores}`,
    );
  }
  if (scores.length !== expected) {
    throw new SubnetDefinitionError(
      `subnet "${subnet}": reward returned ${scores.length} scores for ${expected} responses; return one score per response, in order`,
    );
  }
  scores.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 1) {
      throw new SubnetDefinitionError(
        `subnet "${subnet}": reward score at index ${i} is ${String(s)}; scores must be finite numbers in [0, 1]`,
      );
    }
  });
  return scores as number[];
}

/**
 * A small deterministic PRNG (mulberry32) returning numbers in [0, 1). Validators seed it per
 * round so a challenge can be replayed when a round is retried.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
