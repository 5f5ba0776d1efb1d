/**
 * # The echo subnet: the smallest complete subnetkit plugin
 *
 * Read this file top to bottom when writing your own subnet. A subnet plugin is one
 * `defineSubnet({...})` call, default-exported, that says:
 *
 * 1. **synapses**: the requests a validator sends and the responses a miner returns, as TypeBox
 *    schemas. The miner's axon serves each one at `POST /<SynapseName>` and validates bodies
 *    against them; the types you get in every handler come from these schemas.
 * 2. **miner**: `setup` loads or trains the model once, `forward` answers one request, and the
 *    optional `forwardBatch` answers many at once (the runner batches concurrent requests).
 * 3. **validator**: `challenge` makes a request plus a hidden truth; `reward` turns the truth and
 *    every miner's response into a score in [0, 1]. Scores feed a moving average per uid, and the
 *    averages become the weights the validator sets on chain.
 *
 * The task here is deliberately trivial, integer arithmetic, so the framework tests can tell an
 * honest miner from a faulty one: a correct answer scores 1, a wrong or missing one 0, and a slow
 * correct answer a little less than 1. Real subnets (forecasting, vision) train tfjs models in
 * `setup` instead.
 */
import { type RequestOf, type ResponseOf, defineSubnet } from '@subnetkit/core';
import { Type } from '@sinclair/typebox';

/** The operations a miner must compute. */
export const OPERATIONS = ['add', 'sub', 'mul'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The synapses of the echo subnet: one, `Compute`. */
export const synapses = {
  Compute: {
    description: 'Compute `a op b` for two integers and return the result.',
    timeoutMs: 2_000,
    request: Type.Object(
      {
        a: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }),
        b: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }),
        op: Type.Union(OPERATIONS.map((op) => Type.Literal(op))),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ result: Type.Integer() }, { additionalProperties: false }),
  },
};

export type ComputeRequest = RequestOf<typeof synapses, 'Compute'>;
export type ComputeResponse = ResponseOf<typeof synapses, 'Compute'>;

/** The reference computation, shared by the honest miner and the validator's truth. */
export function compute({ a, b, op }: ComputeRequest): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
  }
}

/**
 * Latency above which a correct answer starts to lose score, in ms. Scores fall linearly to
 * `1 - LATENCY_PENALTY` at the synapse timeout, so speed matters but correctness matters most.
 */
export const LATENCY_FREE_MS = 200;
export const LATENCY_PENALTY = 0.2;

/** Score one answer: 0 when wrong or missing, up to 1 when correct and fast. */
export function scoreAnswer(
  truth: number,
  answer: number | undefined,
  latencyMs: number,
  timeoutMs = 2_000,
): number {
  if (answer !== truth) return 0;
  if (latencyMs <= LATENCY_FREE_MS) return 1;
  const late = Math.min(1, (latencyMs - LATENCY_FREE_MS) / Math.max(1, timeoutMs - LATENCY_FREE_MS));
  return 1 - LATENCY_PENALTY * late;
}

/**
 * Miner behaviour knobs, read from the environment so the same package can play an honest or a
 * faulty miner in tests and demos: `ECHO_ERROR_RATE` (0..1, share of wrong answers) and
 * `ECHO_DELAY_MS` (extra latency per request).
 */
export interface EchoModel {
  errorRate: number;
  delayMs: number;
  random: () => number;
}

function readKnob(env: Record<string, string | undefined>, key: string, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return 0;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new Error(`${key}=${raw} is not valid: expected a number between 0 and ${max}`);
  }
  return value;
}

/** Build the model from an environment; exported so tests can make faulty miners without env vars. */
export function makeEchoModel(env: Record<string, string | undefined> = process.env): EchoModel {
  return {
    errorRate: readKnob(env, 'ECHO_ERROR_RATE', 1),
    delayMs: readKnob(env, 'ECHO_DELAY_MS', 60_000),
    random: Math.random,
  };
}

function answer(model: EchoModel, req: ComputeRequest): ComputeResponse {
  const right = compute(req);
  return { result: model.random() < model.errorRate ? right + 1 : right };
}

async function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

export default defineSubnet({
  name: 'echo',
  description: 'Integer arithmetic: the smallest complete subnet, used by the framework tests.',
  versionKey: 1,
  synapses,
  miner: {
    // A real subnet loads or trains its tfjs model here, under ctx.dataDir.
    setup: (ctx) => {
      const model = makeEchoModel();
      ctx.log.info(`echo miner ready (error rate ${model.errorRate}, delay ${model.delayMs} ms)`);
      return model;
    },
    forward: {
      Compute: async (req, ctx) => {
        await delay(ctx.model.delayMs, ctx.signal);
        return answer(ctx.model, req);
      },
    },
    // Batched path: the runner gathers concurrent requests and calls this once per batch.
    forwardBatch: {
      Compute: async (reqs, ctx) => {
        await delay(ctx.model.delayMs, ctx.signal);
        return reqs.map((req) => answer(ctx.model, req));
      },
    },
  },
  validator: {
    challenge: ({ random }) => {
      const request: ComputeRequest = {
        a: Math.floor(random() * 2001) - 1000,
        b: Math.floor(random() * 2001) - 1000,
        op: OPERATIONS[Math.floor(random() * OPERATIONS.length)]!,
      };
      return { synapse: 'Compute', request, truth: compute(request) };
    },
    reward: (round) =>
      round.responses.map((r) =>
        r.outcome === 'ok'
          ? scoreAnswer(round.truth, r.response?.result, r.latencyMs, synapses.Compute.timeoutMs)
          : 0,
      ),
  },
});
