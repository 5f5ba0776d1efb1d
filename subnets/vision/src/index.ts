/**
 * # The vision subnet: handwritten digits served by a TensorFlow.js model
 *
 * Miners classify 28x28 handwritten digits with a small tfjs model they train locally
 * (`subnetkit train --subnet vision`); validators send batches of held-out digits, distorted so
 * that nobody can answer by looking the images up in the public `mnist` package, and score
 * accuracy with a mild latency term. See README.md for the numbers.
 */
import { type RequestOf, type ResponseOf, defineSubnet } from '@subnetkit/core';
import { saveModel, type Tf, type TensorBatchRunner, tensorsOf } from '@subnetkit/inference';
import { Type } from '@sinclair/typebox';
import type * as tfjs from '@tensorflow/tfjs';
import { CLASSES, loadDigits, PIXELS, subsetOf } from './data.js';
import { lookupAnswers, randomAnswers } from './baselines.js';
import { accuracyOn, buildModel, classifyRows, TRAIN_DEFAULTS, trainModel, UNDER_TRAINED } from './model.js';
import { seededRandom } from '@subnetkit/core';
import { transformDigit } from './transform.js';

export {
  allDigits,
  CLASSES,
  type DigitSet,
  HELD_OUT_EVERY,
  imageAt,
  loadDigits,
  PIXELS,
  SIDE,
  subsetOf,
} from './data.js';
export { lookupAnswers, randomAnswers } from './baselines.js';
export {
  accuracyOn,
  buildModel,
  classifyRows,
  HIDDEN,
  TRAIN_DEFAULTS,
  trainModel,
  UNDER_TRAINED,
} from './model.js';
export { CHALLENGE_STRENGTH, type TransformStrength, transformDigit } from './transform.js';

/** Most images in one Classify request. */
export const MAX_IMAGES = 64;
/** Images in one validator challenge. */
export const CHALLENGE_IMAGES = 16;

/** One image: exactly PIXELS finite values in [0, 1], row-major. */
const Image = Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: PIXELS, maxItems: PIXELS });

/** The synapses of the vision subnet: one, `Classify`. */
export const synapses = {
  Classify: {
    description: `Classify 1..${MAX_IMAGES} 28x28 grey-scale digits (784 values in [0, 1] each, row-major).`,
    timeoutMs: 5_000,
    request: Type.Object(
      { images: Type.Array(Image, { minItems: 1, maxItems: MAX_IMAGES }) },
      { additionalProperties: false },
    ),
    response: Type.Object(
      {
        digits: Type.Array(Type.Integer({ minimum: 0, maximum: CLASSES - 1 }), {
          minItems: 1,
          maxItems: MAX_IMAGES,
        }),
      },
      { additionalProperties: false },
    ),
  },
};

export type ClassifyRequest = RequestOf<typeof synapses, 'Classify'>;
export type ClassifyResponse = ResponseOf<typeof synapses, 'Classify'>;

/** Latency below which an answer loses nothing, and the most it can lose (at the timeout). */
export const LATENCY_FREE_MS = 500;
export const LATENCY_PENALTY = 0.1;

/** Score one answer: its accuracy, lowered by at most LATENCY_PENALTY for slowness; 0 if malformed. */
export function scoreDigits(
  truth: readonly number[],
  digits: readonly number[] | undefined,
  latencyMs: number,
  timeoutMs = synapses.Classify.timeoutMs,
): number {
  if (!digits || digits.length !== truth.length) return 0;
  const right = truth.filter((label, i) => digits[i] === label).length;
  const late = Math.min(
    1,
    Math.max(0, latencyMs - LATENCY_FREE_MS) / Math.max(1, timeoutMs - LATENCY_FREE_MS),
  );
  return (right / truth.length) * (1 - LATENCY_PENALTY * late);
}

/** A validator challenge: CHALLENGE_IMAGES held-out digits, each distorted, and their labels. */
export function makeChallenge(random: () => number, images = CHALLENGE_IMAGES) {
  const { heldOut } = loadDigits();
  const request: ClassifyRequest = { images: [] };
  const truth: number[] = [];
  for (let i = 0; i < images; i++) {
    const pick = Math.floor(random() * heldOut.count);
    const distorted = transformDigit(heldOut.images.subarray(pick * PIXELS, (pick + 1) * PIXELS), random);
    request.images.push(Array.from(distorted, (v) => Math.round(v * 1e4) / 1e4));
    truth.push(heldOut.labels[pick]!);
  }
  return { synapse: 'Classify' as const, request, truth };
}

/** What the miner serves with: the loaded model, the tfjs namespace of the selected backend, and its batch runner. */
export interface VisionModel {
  tf: Tf;
  model: Pick<tfjs.LayersModel, 'predict'>;
  /** The tensor batch runner over `model` (`tensorsOf(ctx).run`); without it, one tf.tidy predict. */
  run?: TensorBatchRunner;
}

/** Index of the largest value of a row (the predicted class). */
function argMax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/**
 * Classifies every image of several requests with one predict (through the tensor batch runner
 * when the miner gave one), and splits the answers back per request.
 */
export async function classifyBatch(
  { tf, model, run }: VisionModel,
  requests: readonly ClassifyRequest[],
): Promise<ClassifyResponse[]> {
  let predicted: number[];
  if (run) {
    predicted = (await run(requests.flatMap((r) => r.images))).map(argMax);
  } else {
    const total = requests.reduce((n, r) => n + r.images.length, 0);
    const rows = new Float32Array(total * PIXELS);
    let offset = 0;
    for (const r of requests) {
      for (const image of r.images) {
        rows.set(image, offset);
        offset += PIXELS;
      }
    }
    predicted = Array.from(classifyRows(tf, model, rows, total));
  }
  let at = 0;
  return requests.map((r) => {
    const digits = predicted.slice(at, at + r.images.length);
    at += r.images.length;
    return { digits };
  });
}

export default defineSubnet({
  name: 'vision',
  description: 'Handwritten digit classification (MNIST) by miners serving TensorFlow.js models.',
  versionKey: 1,
  synapses,
  miner: {
    model: { synapse: 'Classify', inputShape: [PIXELS], outputShape: [CLASSES] },
    train: async (ctx) => {
      const tf = (ctx.tf as Tf | undefined) ?? (await import('@tensorflow/tfjs'));
      const { train, heldOut } = loadDigits();
      const set = ctx.options.subset ? subsetOf(train, ctx.options.subset) : train;
      const seed = ctx.options.seed ?? TRAIN_DEFAULTS.seed;
      const model = buildModel(tf, seed);
      try {
        const fit = await trainModel(tf, model, set, {
          epochs: ctx.options.epochs ?? TRAIN_DEFAULTS.epochs,
          seed,
          signal: ctx.signal,
          onEpoch: (report) => ctx.progress(report),
        });
        const metrics = {
          accuracy: accuracyOn(tf, model, heldOut),
          distorted_accuracy: accuracyOn(tf, model, heldOut, seededRandom(seed + 1)),
        };
        await saveModel(model, ctx.modelDir);
        ctx.log.info(
          `vision model: ${(metrics.accuracy * 100).toFixed(1)}% on ${heldOut.count} held-out digits (${(metrics.distorted_accuracy * 100).toFixed(1)}% distorted), saved to ${ctx.modelDir}`,
        );
        return { metrics, examples: set.count, epochs: fit.epochs };
      } finally {
        model.dispose();
      }
    },
    setup: (ctx): VisionModel => tensorsOf(ctx),
    forward: {
      Classify: async (req, ctx) => (await classifyBatch(ctx.model, [req]))[0]!,
    },
    forwardBatch: {
      Classify: (reqs, ctx) => classifyBatch(ctx.model, reqs),
    },
    underTrained: UNDER_TRAINED,
    baselines: {
      lookup: {
        description: 'the label of the nearest of the 10,000 public mnist images (no model)',
        setup: async (ctx): Promise<Tf> => (ctx.tf as Tf | undefined) ?? (await import('@tensorflow/tfjs')),
        forward: { Classify: (req, ctx) => ({ digits: lookupAnswers(ctx.model, req.images) }) },
      },
      random: {
        description: 'a uniformly random digit per image',
        forward: { Classify: (req) => ({ digits: randomAnswers(req.images) }) },
      },
    },
  },
  validator: {
    challenge: ({ random }) => makeChallenge(random),
    reward: (round) =>
      round.responses.map((r) =>
        r.outcome === 'ok' ? scoreDigits(round.truth, r.response?.digits, r.latencyMs) : 0,
      ),
  },
});
