/**
 * Type-level tests for defineSubnet. They are checked by `tsc -b` (the package build): every
 * `@ts-expect-error` below must stay an error, or the build fails with "Unused '@ts-expect-error'
 * directive". Vitest also runs the file, so the definitions must be valid at run time too.
 */
import { Type } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineSubnet } from './define.js';
import type { MinerResponse } from './types.js';

const synapses = {
  Add: {
    request: Type.Object({ a: Type.Integer(), b: Type.Integer() }),
    response: Type.Object({ sum: Type.Integer() }),
  },
  Echo: {
    request: Type.Object({ text: Type.String() }),
    response: Type.Object({ text: Type.String(), length: Type.Integer() }),
  },
};

describe('defineSubnet types', () => {
  it('flows schema types into forward, challenge and reward', () => {
    const plugin = defineSubnet({
      name: 'typed',
      versionKey: 1,
      synapses,
      miner: {
        setup: () => ({ offset: 0 }),
        forward: {
          Add: (req, ctx) => {
            expectTypeOf(req).toEqualTypeOf<{ a: number; b: number }>();
            expectTypeOf(ctx.model).toEqualTypeOf<{ offset: number }>();
            return { sum: req.a + req.b + ctx.model.offset };
          },
          Echo: (req) => ({ text: req.text, length: req.text.length }),
        },
        forwardBatch: {
          Add: (reqs) => reqs.map((r) => ({ sum: r.a + r.b })),
        },
      },
      validator: {
        challenge: ({ random }) => ({
          synapse: 'Add',
          request: { a: 1, b: Math.floor(random() * 10) },
          truth: 42,
        }),
        reward: (round) => {
          expectTypeOf(round.truth).toEqualTypeOf<number>();
          if (round.synapse === 'Add') {
            expectTypeOf(round.responses).toEqualTypeOf<MinerResponse<{ sum: number }>[]>();
            return round.responses.map((r) => (r.response?.sum === round.truth ? 1 : 0));
          }
          return round.responses.map((r) => (r.response?.length === round.truth ? 1 : 0));
        },
      },
    });
    expect(plugin.synapseNames).toEqual(['Add', 'Echo']);
  });

  it('rejects wrong handler signatures at compile time', () => {
    const bad = () =>
      defineSubnet({
        name: 'wrong',
        versionKey: 1,
        synapses,
        miner: {
          setup: () => null,
          forward: {
            // @ts-expect-error: Add must return { sum: number }, not a string field
            Add: (req) => ({ sum: String(req.a) }),
            // @ts-expect-error: the request has no field `nope`
            Echo: (req) => ({ text: req.nope, length: 1 }),
          },
        },
        validator: {
          // @ts-expect-error: challenge names a synapse that does not exist
          challenge: () => ({ synapse: 'Missing', request: {}, truth: 1 }),
          reward: (round) => round.responses.map(() => 1),
        },
      });
    expect(typeof bad).toBe('function');

    const missingForward = () =>
      defineSubnet({
        name: 'missing',
        versionKey: 1,
        synapses,
        miner: {
          setup: () => null,
          // @ts-expect-error: forward.Echo is missing
          forward: { Add: (req) => ({ sum: req.a + req.b }) },
        },
        validator: {
          challenge: () => ({ synapse: 'Add', request: { a: 1, b: 2 }, truth: 3 }),
          // @ts-expect-error: reward must return numbers, not strings
          reward: (round) => round.responses.map(() => 'high'),
        },
      });
    expect(typeof missingForward).toBe('function');
  });
});
