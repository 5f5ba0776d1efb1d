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
import {
  type ChallengeContext,
  type MinerResponse,
  type MinerSide,
  type RequestOf,
  type ResponseOf,
  defineSubnet,
} from '@subnetkit/core';
import { type Static, Type } from '@sinclair/typebox';

/** The operations a miner must compute. */
export const OPERATIONS = ['add', 'sub', 'mul'] as const;
export type Operation = (typeof OPERATIONS)[number];

const computeRequest = Type.Object(
  {
    a: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }),
    b: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 }),
    op: Type.Union(OPERATIONS.map((op) => Type.Literal(op))),
  },
  { additionalProperties: false },
);
const computeResponse = Type.Object({ result: Type.Integer() }, { additionalProperties: false });

/** One chunk of a `ComputeStream` answer: a few characters of the result's decimal form. */
export const DigitChunk = Type.Object(
  { text: Type.String({ maxLength: 16 }) },
  { additionalProperties: false },
);

/**
 * The streamed answer put back together: the concatenated text as an integer, or the text itself
 * when it is not one (which then fails the response schema and scores 0).
 */
export function assembleDigits(chunks: Static<typeof DigitChunk>[]): { result: number | string } {
  const text = chunks.map((c) => c.text).join('');
  return /^-?\d{1,16}$/.test(text) ? { result: Number(text) } : { result: text };
}

/**
 * The synapses of the echo subnet: `Compute`, and `ComputeStream`, the same task answered as a
 * stream (the result's digits one chunk at a time), which shows a streaming synapse end to end.
 */
export const synapses = {
  Compute: {
    description: 'Compute `a op b` for two integers and return the result.',
    timeoutMs: 2_000,
    request: computeRequest,
    response: computeResponse,
  },
  ComputeStream: {
    description: 'Compute `a op b` and stream the decimal digits of the result, one chunk per digit.',
    timeoutMs: 2_000,
    request: computeRequest,
    response: computeResponse,
    stream: {
      chunk: DigitChunk,
      assemble: assembleDigits,
      firstChunkTimeoutMs: 1_500,
      maxBytes: 4_096,
    },
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

/** A random Compute request from the round's deterministic random source. */
function computeChallenge(random: () => number): ComputeRequest {
  return {
    a: Math.floor(random() * 2001) - 1000,
    b: Math.floor(random() * 2001) - 1000,
    op: OPERATIONS[Math.floor(random() * OPERATIONS.length)]!,
  };
}

/**
 * Scores of a round: correctness first, then speed. For the streamed synapse, speed is the time to
 * the first chunk (what a user of a streaming answer waits for).
 */
function rewardAnswers(truth: number, responses: MinerResponse<{ result: number }>[]): number[] {
  return responses.map((r) =>
    r.outcome === 'ok'
      ? scoreAnswer(
          truth,
          r.response?.result,
          r.stream?.firstChunkMs ?? r.latencyMs,
          synapses.Compute.timeoutMs,
        )
      : 0,
  );
}

/** The miner side, shared by both plugins below. */
const miner: MinerSide<typeof synapses, EchoModel> = {
  // A real subnet loads or trains its tfjs model here, under ctx.dataDir.
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
    // A streaming forward is an async generator: every yield goes out as one event.
    ComputeStream: async function* (req, ctx) {
      await delay(ctx.model.delayMs, ctx.signal);
      for (const digit of String(answer(ctx.model, req).result)) yield { text: digit };
    },
  },
  // Batched path: the runner gathers concurrent requests and calls this once per batch.
  forwardBatch: {
    Compute: async (reqs, ctx) => {
      await delay(ctx.model.delayMs, ctx.signal);
      return reqs.map((req) => answer(ctx.model, req));
    },
  },
};

export default defineSubnet({
  name: 'echo',
  description: 'Integer arithmetic: the smallest complete subnet, used by the framework tests.',
  versionKey: 1,
  synapses,
  miner,
  validator: {
    challenge: ({ random }) => {
      const request = computeChallenge(random);
      return { synapse: 'Compute', request, truth: compute(request) };
    },
    reward: (round) => rewardAnswers(round.truth, round.responses),
  },
});

/**
 * The echo subnet whose validator alternates the two synapses: `Compute` on even rounds,
 * `ComputeStream` on odd ones. Miners serve both either way; use this plugin on the validator to
 * score streaming answers too.
 */
export const echoMixed = defineSubnet({
  name: 'echo-mixed',
  description: 'The echo subnet, challenging plain and streamed answers in turn.',
  versionKey: 1,
  synapses,
  miner,
  validator: {
    challenge: ({ random, round }: ChallengeContext) => {
      const request = computeChallenge(random);
      const synapse = round % 2 === 1 ? ('ComputeStream' as const) : ('Compute' as const);
      return { synapse, request, truth: compute(request) };
    },
    reward: (round) => rewardAnswers(round.truth, round.responses),
  },
});
