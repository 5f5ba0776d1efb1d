/**
 * A minimal subnet plugin for validator tests: `Add` asks for `a + b`; a correct answer scores 1,
 * anything else 0. Deterministic, so tests can predict every EMA exactly.
 */
import { Type } from '@sinclair/typebox';
import { defineSubnet } from '@subnetkit/core';

export const adderPlugin = defineSubnet({
  name: 'adder',
  versionKey: 1,
  synapses: {
    Add: {
      request: Type.Object({ a: Type.Integer(), b: Type.Integer() }),
      response: Type.Object({ sum: Type.Integer() }),
      timeoutMs: 2_000,
    },
  },
  miner: {
    setup: () => ({}),
    forward: { Add: (req) => ({ sum: req.a + req.b }) },
  },
  validator: {
    challenge: ({ random }) => {
      const request = { a: Math.floor(random() * 1000), b: Math.floor(random() * 1000) };
      return { synapse: 'Add', request, truth: request.a + request.b };
    },
    reward: (round) =>
      round.responses.map((r) => (r.outcome === 'ok' && r.response?.sum === round.truth ? 1 : 0)),
  },
});

/** A fake-axon responder for the adder plugin: honest axons add, the others answer `a + b + 1`. */
export function adderResponder(honest: (index: number) => boolean) {
  return (index: number, _synapse: string, body: unknown) => {
    const { a, b } = body as { a: number; b: number };
    return { body: { sum: a + b + (honest(index) ? 0 : 1) } };
  };
}
