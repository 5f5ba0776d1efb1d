/**
 * # The forecast subnet: next-H-points forecasting with TensorFlow.js models
 *
 * Validators generate series with a known future (trend, two seasonalities, noise, regime
 * changes, missing points) and ask miners for the next HORIZON points; a forecast scores by its
 * error relative to the seasonal-naive forecast (see README.md). Miners train a small tfjs MLP on
 * series from the same public generator (`subnetkit train --subnet forecast`).
 */
import { type RequestOf, type ResponseOf, defineSubnet, seededRandom } from '@subnetkit/core';
import { saveModel, type Tf, tensorsOf } from '@subnetkit/inference';
import { Type } from '@sinclair/typebox';
import type * as tfjs from '@tensorflow/tfjs';
import {
  buildModel,
  forecastMany,
  TRAIN_DEFAULTS,
  trainingSeries,
  trainModel,
  UNDER_TRAINED,
  WINDOW,
} from './model.js';
import { fillGaps, generateSeries, HISTORY, HORIZON, mae, scoreForecast, seasonalNaive } from './series.js';

export {
  buildModel,
  forecastMany,
  TRAIN_DEFAULTS,
  trainingSeries,
  trainModel,
  UNDER_TRAINED,
  WINDOW,
  windowOf,
} from './model.js';
export {
  fillGaps,
  generateSeries,
  HISTORY,
  HORIZON,
  MISSING_SHARE,
  mae,
  PERIOD,
  type Series,
  scoreForecast,
  seasonalNaive,
} from './series.js';

/** Largest magnitude a value may have on the wire (keeps every number finite and sane). */
export const MAX_ABS_VALUE = 1e9;
const Value = Type.Number({ minimum: -MAX_ABS_VALUE, maximum: MAX_ABS_VALUE });

/** The synapses of the forecast subnet: one, `Forecast`. */
export const synapses = {
  Forecast: {
    description: `Forecast the next ${HORIZON} points of a series from its last ${HISTORY} (null = missing point).`,
    timeoutMs: 5_000,
    request: Type.Object(
      {
        // Exactly HISTORY points, each finite or null (missing), at least one known.
        history: Type.Array(Type.Union([Value, Type.Null()]), {
          minItems: HISTORY,
          maxItems: HISTORY,
          contains: Value,
        }),
      },
      { additionalProperties: false },
    ),
    response: Type.Object(
      { forecast: Type.Array(Value, { minItems: HORIZON, maxItems: HORIZON }) },
      { additionalProperties: false },
    ),
  },
};

export type ForecastRequest = RequestOf<typeof synapses, 'Forecast'>;
export type ForecastResponse = ResponseOf<typeof synapses, 'Forecast'>;

/** What the miner serves with. */
export interface ForecastModel {
  tf: Tf;
  model: Pick<tfjs.LayersModel, 'predict'>;
}

/** Held-out figures of a model on `count` fresh series: mean score and MAE relative to seasonal naive. */
export function evaluate(tf: Tf, model: Pick<tfjs.LayersModel, 'predict'>, count: number, seed: number) {
  const random = seededRandom(0xe7a1 + seed);
  const series = Array.from({ length: count }, () => generateSeries(random));
  const forecasts = forecastMany(
    tf,
    model,
    series.map((s) => s.history),
  );
  let score = 0;
  let relMae = 0;
  series.forEach((s, i) => {
    score += scoreForecast(s.history, s.future, forecasts[i]);
    relMae += mae(forecasts[i]!, s.future) / Math.max(mae(seasonalNaive(s.history), s.future), 1e-9);
  });
  return { score: score / count, relative_mae: relMae / count };
}

/** The random baseline: HORIZON values drawn uniformly between the history's min and max. */
export function randomForecast(
  history: readonly (number | null)[],
  random: () => number = Math.random,
): number[] {
  const known = fillGaps(history);
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  return Array.from({ length: HORIZON }, () => lo + random() * (hi - lo));
}

export default defineSubnet({
  name: 'forecast',
  description:
    'Time-series forecasting scored against seasonal naive, by miners serving TensorFlow.js models.',
  versionKey: 1,
  synapses,
  miner: {
    model: { synapse: 'Forecast', inputShape: [WINDOW], outputShape: [HORIZON] },
    train: async (ctx) => {
      const tf = (ctx.tf as Tf | undefined) ?? (await import('@tensorflow/tfjs'));
      const seed = ctx.options.seed ?? TRAIN_DEFAULTS.seed;
      const series = trainingSeries(ctx.options.subset ?? TRAIN_DEFAULTS.series, seed);
      const model = buildModel(tf, seed);
      try {
        const fit = await trainModel(tf, model, series, {
          epochs: ctx.options.epochs ?? TRAIN_DEFAULTS.epochs,
          signal: ctx.signal,
          onEpoch: (report) => ctx.progress(report),
        });
        const metrics = evaluate(tf, model, 500, seed);
        await saveModel(model, ctx.modelDir);
        ctx.log.info(
          `forecast model: mean score ${metrics.score.toFixed(3)} (seasonal naive 0.5), MAE ${(metrics.relative_mae * 100).toFixed(0)}% of seasonal naive, saved to ${ctx.modelDir}`,
        );
        return { metrics, examples: series.length, epochs: fit.epochs };
      } finally {
        model.dispose();
      }
    },
    setup: (ctx): ForecastModel => tensorsOf(ctx),
    forward: {
      Forecast: (req, ctx) => ({ forecast: forecastMany(ctx.model.tf, ctx.model.model, [req.history])[0]! }),
    },
    forwardBatch: {
      Forecast: (reqs, ctx) =>
        forecastMany(
          ctx.model.tf,
          ctx.model.model,
          reqs.map((r) => r.history),
        ).map((forecast) => ({ forecast })),
    },
    underTrained: UNDER_TRAINED,
    baselines: {
      'seasonal-naive': {
        description: 'the last season of the history, repeated (what the reward scores 0.5)',
        forward: { Forecast: (req) => ({ forecast: seasonalNaive(req.history) }) },
      },
      random: {
        description: "uniform values between the history's minimum and maximum",
        forward: { Forecast: (req) => ({ forecast: randomForecast(req.history) }) },
      },
    },
  },
  validator: {
    challenge: ({ random }) => {
      const series = generateSeries(random);
      return { synapse: 'Forecast', request: { history: series.history }, truth: series };
    },
    reward: (round) =>
      round.responses.map((r) =>
        r.outcome === 'ok' ? scoreForecast(round.truth.history, round.truth.future, r.response?.forecast) : 0,
      ),
  },
});
