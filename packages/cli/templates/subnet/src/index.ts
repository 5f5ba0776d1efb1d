/**
 * # The {{name}} subnet
 *
 * Miners classify 2-D points by the ring they fall in with a small TensorFlow.js model they train
 * locally; validators send batches of fresh points and reward accuracy. Made by `subnetkit new`:
 * replace the task (src/data.ts), the model (src/model.ts) and the reward with yours, keeping the
 * shape of this file. See README.md.
 */
import { defineSubnet, type RequestOf, type ResponseOf, seededRandom } from '@subnetkit/core';
import { saveModel, type Tf, tensorsOf } from '@subnetkit/inference';
import { Type } from '@sinclair/typebox';
import type * as tfjs from '@tensorflow/tfjs';
import { CLASSES, FEATURES, samplePoints } from './data.js';
import {
  accuracyOn,
  buildModel,
  predictLabels,
  TRAIN_DEFAULTS,
  trainingExamples,
  trainModel,
  UNDER_TRAINED,
} from './model.js';

export { CLASSES, type Examples, FEATURES, labelOf, RADII, samplePoints } from './data.js';
export {
  accuracyOn,
  buildModel,
  predictLabels,
  TRAIN_DEFAULTS,
  trainingExamples,
  trainModel,
  UNDER_TRAINED,
} from './model.js';

/** Most points in one request, and points in one validator challenge. */
export const MAX_POINTS = 64;
export const CHALLENGE_POINTS = 32;

/** One point: exactly FEATURES finite values in [-1, 1]. */
const Point = Type.Array(Type.Number({ minimum: -1, maximum: 1 }), {
  minItems: FEATURES,
  maxItems: FEATURES,
});

/** The synapses: one, `Classify` (served at POST /Classify; bodies are checked against these schemas). */
export const synapses = {
  Classify: {
    description: `Classify 1..${MAX_POINTS} points of [-1, 1]² by ring (0 inner, 1 middle, 2 outer).`,
    timeoutMs: 5_000,
    request: Type.Object(
      { points: Type.Array(Point, { minItems: 1, maxItems: MAX_POINTS }) },
      { additionalProperties: false },
    ),
    response: Type.Object(
      {
        labels: Type.Array(Type.Integer({ minimum: 0, maximum: CLASSES - 1 }), {
          minItems: 1,
          maxItems: MAX_POINTS,
        }),
      },
      { additionalProperties: false },
    ),
  },
};

export type ClassifyRequest = RequestOf<typeof synapses, 'Classify'>;
export type ClassifyResponse = ResponseOf<typeof synapses, 'Classify'>;

/** Score one answer: the share of right labels; 0 when it has the wrong length. */
export function scoreLabels(truth: readonly number[], labels: readonly number[] | undefined): number {
  if (!labels || labels.length !== truth.length) return 0;
  return truth.filter((label, i) => labels[i] === label).length / truth.length;
}

/** What the miner serves with: the loaded model and the tfjs namespace of the selected backend. */
export interface ServedModel {
  tf: Tf;
  model: Pick<tfjs.LayersModel, 'predict'>;
}

/** Answers several requests with one predict over all their points. */
export function classifyBatch(
  { tf, model }: ServedModel,
  requests: readonly ClassifyRequest[],
): ClassifyResponse[] {
  const labels = predictLabels(
    tf,
    model,
    requests.flatMap((r) => r.points),
  );
  let at = 0;
  return requests.map((r) => {
    at += r.points.length;
    return { labels: labels.slice(at - r.points.length, at) };
  });
}

export default defineSubnet({
  name: '{{name}}',
  description: 'Ring classification of 2-D points by miners serving a TensorFlow.js model.',
  versionKey: 1,
  synapses,
  miner: {
    // Where the model is saved (<data dir>/model) and its per-example shapes; the runner checks
    // them when it loads the model, so a wrong model fails at start, not at the first request.
    model: { synapse: 'Classify', inputShape: [FEATURES], outputShape: [CLASSES] },
    // `subnetkit train --subnet <this package>` (and localnet) call it; save to ctx.modelDir.
    train: async (ctx) => {
      const tf = (ctx.tf as Tf | undefined) ?? (await import('@tensorflow/tfjs'));
      const seed = ctx.options.seed ?? TRAIN_DEFAULTS.seed;
      const examples = trainingExamples(ctx.options.subset ?? TRAIN_DEFAULTS.examples, seed);
      const model = buildModel(tf, seed);
      try {
        const fit = await trainModel(tf, model, examples, {
          epochs: ctx.options.epochs ?? TRAIN_DEFAULTS.epochs,
          seed,
          signal: ctx.signal,
          onEpoch: (report) => ctx.progress(report),
        });
        const metrics = { accuracy: accuracyOn(tf, model, samplePoints(2_000, seededRandom(0xe7a1 + seed))) };
        await saveModel(model, ctx.modelDir);
        ctx.log.info(
          `model: ${(metrics.accuracy * 100).toFixed(1)}% on fresh points, saved to ${ctx.modelDir}`,
        );
        return { metrics, examples: examples.points.length, epochs: fit.epochs };
      } finally {
        model.dispose();
      }
    },
    // The runner loaded the model (ctx.tensorModel) and selected the backend (ctx.tf).
    setup: (ctx): ServedModel => tensorsOf(ctx),
    forward: {
      Classify: (req, ctx) => classifyBatch(ctx.model, [req])[0]!,
    },
    // Concurrent requests are gathered by the miner's micro-batcher and answered with one predict.
    forwardBatch: {
      Classify: (reqs, ctx) => classifyBatch(ctx.model, reqs),
    },
    underTrained: UNDER_TRAINED,
    // Miners that do not learn, best first: localnet runs them to show the reward ranks them lower.
    baselines: {
      majority: {
        description: 'always the most common class (the outer ring)',
        forward: { Classify: (req) => ({ labels: req.points.map(() => 2) }) },
      },
      random: {
        description: 'a uniformly random class per point',
        forward: {
          Classify: (req) => ({ labels: req.points.map(() => Math.floor(Math.random() * CLASSES)) }),
        },
      },
    },
  },
  validator: {
    // Fresh points from ctx.random (seeded per round) and their true classes, kept by the validator.
    challenge: ({ random }) => {
      const { points, labels } = samplePoints(CHALLENGE_POINTS, random);
      return { synapse: 'Classify', request: { points }, truth: labels };
    },
    // One score in [0, 1] per response, in order; failed queries score 0.
    reward: (round) =>
      round.responses.map((r) => (r.outcome === 'ok' ? scoreLabels(round.truth, r.response?.labels) : 0)),
  },
});
