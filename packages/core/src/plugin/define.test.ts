import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { baselinePlugin } from './baseline.js';
import { checkRewards, defineSubnet, isSubnetPlugin, SubnetDefinitionError, seededRandom } from './define.js';

const Add = {
  request: Type.Object({ a: Type.Integer(), b: Type.Integer() }),
  response: Type.Object({ sum: Type.Integer() }),
};

function valid() {
  return {
    name: 'adder',
    versionKey: 3,
    synapses: { Add },
    miner: { setup: () => null, forward: { Add: (r: { a: number; b: number }) => ({ sum: r.a + r.b }) } },
    validator: {
      challenge: () => ({ synapse: 'Add' as const, request: { a: 1, b: 2 }, truth: 3 }),
      reward: () => [] as number[],
    },
  };
}

describe('defineSubnet', () => {
  it('returns a frozen, branded plugin with its synapse names', () => {
    const p = defineSubnet(valid());
    expect(isSubnetPlugin(p)).toBe(true);
    expect(p.synapseNames).toEqual(['Add']);
    expect(Object.isFrozen(p)).toBe(true);
    expect(isSubnetPlugin({ name: 'x' })).toBe(false);
    expect(isSubnetPlugin(null)).toBe(false);
  });

  it.each([
    [{ name: 'Bad Name' }, /name must be lowercase/],
    [{ versionKey: -1 }, /versionKey must be a non-negative integer/],
    [{ versionKey: 1.5 }, /versionKey must be a non-negative integer/],
    [{ synapses: {} }, /at least one synapse/],
    [{ synapses: { 'bad/route': Add } }, /synapse name "bad\/route"/],
    [
      { synapses: { Add: { request: { type: 'object' }, response: Add.response } } },
      /TypeBox object schemas/,
    ],
    [{ synapses: { Add: { ...Add, timeoutMs: 0 } } }, /timeoutMs must be a positive/],
    [{ protocol: 'grpc' }, /protocol must be 'btauth' \(btauth\/1\) or 'legacy'/],
    [{ synapses: { Add: { ...Add, protocol: 'v9' } } }, /synapse Add protocol must be/],
    [
      { synapses: { Add: { ...Add, access: 'anyone' } } },
      /synapse Add access must be 'validators' \(default\) or 'registered'/,
    ],
    [{ synapses: { Add: { ...Add, requiredHashFields: ['c'] } } }, /requiredHashFields must list fields/],
    [{ synapses: { Add: { ...Add, stream: { chunk: Add.response } } } }, /stream needs a chunk schema/],
    [
      {
        synapses: {
          Add: { ...Add, stream: { chunk: Add.response, assemble: (): number => 0, maxBytes: -1 } },
        },
      },
      /stream.maxBytes must be a positive/,
    ],
    [{ synapses: { Add: { ...Add, artifact: { maxBytes: 0 } } } }, /synapse Add artifact.maxBytes must be/],
    [
      { synapses: { Add: { ...Add, artifact: { maxBytes: 10 }, protocol: 'legacy' } } },
      /only btauth\/1 carries/,
    ],
    [
      {
        synapses: {
          Add: {
            ...Add,
            artifact: { maxBytes: 10 },
            stream: { chunk: Add.response, assemble: (): number => 0 },
          },
        },
      },
      /cannot both stream and answer with an artifact/,
    ],
  ])('rejects %o with a clear error', (patch, message) => {
    expect(() => defineSubnet({ ...valid(), ...patch } as never)).toThrow(message);
  });

  it('requires one forward per synapse and no stray forwards', () => {
    const v = valid();
    expect(() => defineSubnet({ ...v, miner: { ...v.miner, forward: {} } } as never)).toThrow(
      /miner.forward.Add is missing/,
    );
    expect(() =>
      defineSubnet({ ...v, miner: { ...v.miner, forward: { ...v.miner.forward, Sub: () => 1 } } } as never),
    ).toThrow(/miner.forward.Sub has no synapse/);
    expect(() => defineSubnet({ ...v, miner: { ...v.miner, forwardBatch: { Add: 5 } } } as never)).toThrow(
      /forwardBatch.Add must be a function/,
    );
    expect(() => defineSubnet({ ...v, validator: { challenge: v.validator.challenge } } as never)).toThrow(
      /challenge\(\) and reward\(\)/,
    );
    expect(() => defineSubnet(null as never)).toThrow(SubnetDefinitionError);
  });

  it('accepts a streaming synapse with wire settings, but not with a batched forward', () => {
    const v = valid();
    const Streamed = {
      ...Add,
      protocol: 'legacy' as const,
      requiredHashFields: ['a'],
      stream: { chunk: Add.response, assemble: (c: { sum: number }[]) => c[0], firstChunkTimeoutMs: 50 },
    };
    const streamed = defineSubnet({
      ...v,
      protocol: 'btauth',
      synapses: { Add: Streamed },
      miner: {
        setup: () => null,
        forward: {
          Add: async function* (r) {
            yield { sum: r.a + r.b };
          },
        },
      },
    });
    expect(streamed.synapses.Add.stream).toBe(Streamed.stream);
    expect(() =>
      defineSubnet({
        ...v,
        synapses: { Add: Streamed },
        miner: { ...v.miner, forwardBatch: { Add: () => [] } },
      } as never),
    ).toThrow(/Add streams, so it cannot have miner.forwardBatch.Add/);
  });

  it('accepts an artifact synapse whose forward returns bytes, but not batched', () => {
    const v = valid();
    const Blob = { ...Add, artifact: { maxBytes: 1024, hash: 'blake2b-256' as const } };
    const p = defineSubnet({
      ...v,
      synapses: { Add: Blob },
      miner: { setup: () => null, forward: { Add: (r) => new Uint8Array([r.a, r.b]) } },
      validator: {
        challenge: () => ({ synapse: 'Add', request: { a: 1, b: 2 }, truth: 0, artifacts: {} }),
        reward: (round) => round.responses.map((r) => r.response?.length ?? 0),
      },
    });
    expect(p.synapses.Add.artifact).toEqual({ maxBytes: 1024, hash: 'blake2b-256' });
    expect(() =>
      defineSubnet({
        ...v,
        synapses: { Add: Blob },
        miner: { ...v.miner, forwardBatch: { Add: () => [] } },
      } as never),
    ).toThrow(/answers with an artifact, so it cannot have miner.forwardBatch.Add/);
  });

  it('accepts a model spec with a train function and checks its fields', () => {
    const v = valid();
    const model = { synapse: 'Add', inputShape: [2], outputShape: [1] };
    const train = () => ({ metrics: { accuracy: 1 }, examples: 1, epochs: 1 });
    const p = defineSubnet({ ...v, miner: { ...v.miner, model, train } } as never);
    expect(p.miner.model).toEqual(model);
    const withModel = (patch: object) =>
      defineSubnet({ ...v, miner: { ...v.miner, model: { ...model, ...patch }, train } } as never);
    expect(() => withModel({ synapse: 'Sub' })).toThrow(
      /miner.model.synapse "Sub" is not one of the synapses \(Add\)/,
    );
    expect(() => withModel({ inputShape: [] })).toThrow(/miner.model.inputShape must be a non-empty array/);
    expect(() => withModel({ outputShape: [0] })).toThrow(/miner.model.outputShape must be/);
    expect(() => withModel({ dir: '../elsewhere' })).toThrow(/miner.model.dir must be one directory name/);
    expect(() => defineSubnet({ ...v, miner: { ...v.miner, train } } as never)).toThrow(
      /miner.train needs miner.model/,
    );
    expect(() => defineSubnet({ ...v, miner: { ...v.miner, model, train: 1 } } as never)).toThrow(
      /miner.train must be a function/,
    );
  });

  it('checks baseline miners and the under-trained options', () => {
    const v = valid();
    const zero = { description: 'always 0', forward: { Add: () => ({ sum: 0 }) } };
    const p = defineSubnet({ ...v, miner: { ...v.miner, baselines: { zero } } } as never);
    expect(Object.keys(p.miner.baselines ?? {})).toEqual(['zero']);
    const withBaseline = (b: object, name = 'zero') =>
      defineSubnet({ ...v, miner: { ...v.miner, baselines: { [name]: b } } } as never);
    expect(() => withBaseline({ ...zero, forward: {} })).toThrow(
      /miner.baselines.zero.forward.Add is missing; a baseline serves every synapse/,
    );
    expect(() => withBaseline({ ...zero, description: '' })).toThrow(/baselines.zero.description must say/);
    expect(() => withBaseline({ ...zero, setup: 1 })).toThrow(/baselines.zero.setup must be a function/);
    expect(() => withBaseline(zero, 'Zero Miner')).toThrow(/lowercase letters, digits and dashes/);
    expect(() => defineSubnet({ ...v, miner: { ...v.miner, underTrained: { epochs: 1 } } } as never)).toThrow(
      /miner.underTrained needs miner.train/,
    );
    const model = { synapse: 'Add', inputShape: [2], outputShape: [1] };
    const train = () => ({ metrics: {}, examples: 1, epochs: 1 });
    expect(() =>
      defineSubnet({ ...v, miner: { ...v.miner, model, train, underTrained: { epochs: 0 } } } as never),
    ).toThrow(/miner.underTrained.epochs must be a positive integer/);
  });
});

describe('baselinePlugin', () => {
  it('serves a baseline with its own setup and handlers, and names the baselines a plugin has', async () => {
    const v = valid();
    const model = { synapse: 'Add', inputShape: [2], outputShape: [1] };
    const train = () => ({ metrics: {}, examples: 1, epochs: 1 });
    const plugin = defineSubnet({
      ...v,
      miner: {
        ...v.miner,
        model,
        train,
        baselines: {
          offset: {
            description: 'adds one too many',
            setup: () => 1,
            forward: {
              Add: (r: { a: number; b: number }, ctx: { model: number }) => ({ sum: r.a + r.b + ctx.model }),
            },
          },
        },
      },
    } as never);
    const base = baselinePlugin(plugin, 'offset');
    expect(base.name).toBe('adder');
    expect(base.validator).toBe(plugin.validator);
    expect(base.miner.model).toBeUndefined();
    expect(base.miner.train).toBeUndefined();
    const ctxModel = await base.miner.setup({} as never);
    expect(base.miner.forward.Add!({ a: 1, b: 2 }, { model: ctxModel } as never)).toEqual({ sum: 4 });
    expect(() => baselinePlugin(plugin, 'lookup')).toThrow(/has no baseline miner "lookup"; it has offset/);
    expect(() => baselinePlugin(defineSubnet(v), 'x')).toThrow(/declares no miner.baselines/);
  });
});

describe('checkRewards', () => {
  it('accepts one score in [0, 1] per response', () => {
    expect(checkRewards('s', [0, 0.5, 1], 3)).toEqual([0, 0.5, 1]);
  });
  it('names the index and value of a bad score', () => {
    expect(() => checkRewards('s', [0, 1.5], 2)).toThrow(/index 1 is 1.5/);
    expect(() => checkRewards('s', [Number.NaN], 1)).toThrow(/index 0 is NaN/);
    expect(() => checkRewards('s', [-0.1], 1)).toThrow(/index 0/);
    expect(() => checkRewards('s', ['1'], 1)).toThrow(/index 0 is 1/);
  });
  it('rejects a wrong count or a non-array', () => {
    expect(() => checkRewards('s', [1], 2)).toThrow(/returned 1 scores for 2 responses/);
    expect(() => checkRewards('s', 'x', 2)).toThrow(/must return an array/);
  });
});

describe('seededRandom', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(c()).not.toBe(xs[0]);
    // roughly uniform: the mean of 1000 draws is near 0.5
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
  });
});
