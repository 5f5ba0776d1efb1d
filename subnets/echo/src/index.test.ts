import { checkRewards, type MinerResponse, seededRandom } from '@subnetkit/core';
import { describe, expect, it } from 'vitest';
import echo, { compute, type ComputeResponse, makeEchoModel, scoreAnswer } from './index.js';

const log = { debug() {}, info() {}, warn() {}, error() {} };
const signal = new AbortController().signal;
const caller = { hotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY' };

describe('echo subnet', () => {
  it('computes every operation', () => {
    expect(compute({ a: 7, b: -3, op: 'add' })).toBe(4);
    expect(compute({ a: 7, b: -3, op: 'sub' })).toBe(10);
    expect(compute({ a: 7, b: -3, op: 'mul' })).toBe(-21);
  });

  it('an honest miner answers every challenge correctly, single and batched', async () => {
    const model = makeEchoModel({});
    const random = seededRandom(1);
    for (let round = 0; round < 50; round++) {
      const ch = (await echo.validator.challenge({ round, random, log }))!;
      const single = await echo.miner.forward.Compute(ch.request, { model, caller, signal, log });
      expect(single.result).toBe(ch.truth);
      const batch = await echo.miner.forwardBatch!.Compute!([ch.request, ch.request], {
        model,
        callers: [caller, caller],
        signal,
        log,
      });
      expect(batch.map((r) => r.result)).toEqual([ch.truth, ch.truth]);
    }
  });

  it('a faulty miner (ECHO_ERROR_RATE=1) is always wrong', async () => {
    const model = makeEchoModel({ ECHO_ERROR_RATE: '1' });
    const r = await echo.miner.forward.Compute({ a: 2, b: 2, op: 'add' }, { model, caller, signal, log });
    expect(r.result).not.toBe(4);
  });

  it('rejects bad knobs with the key and the expected range', () => {
    expect(() => makeEchoModel({ ECHO_ERROR_RATE: '2' })).toThrow(/ECHO_ERROR_RATE=2 .* between 0 and 1/);
    expect(() => makeEchoModel({ ECHO_DELAY_MS: 'x' })).toThrow(/ECHO_DELAY_MS=x/);
  });

  it('rewards correct and fast answers, penalises slow ones, zeroes wrong and failed ones', async () => {
    const ch = (await echo.validator.challenge({ round: 0, random: seededRandom(9), log }))!;
    const ok = (result: number, latencyMs: number): MinerResponse<ComputeResponse> => ({
      uid: 0,
      hotkey: caller.hotkey,
      outcome: 'ok',
      response: { result },
      status: 200,
      latencyMs,
    });
    const responses: MinerResponse<ComputeResponse>[] = [
      ok(ch.truth, 10),
      ok(ch.truth, 1100),
      ok(ch.truth + 1, 10),
      { uid: 3, hotkey: caller.hotkey, outcome: 'timeout', latencyMs: 2000 },
    ];
    const scores = checkRewards(
      'echo',
      await echo.validator.reward({ ...ch, responses }, { round: 0, log }),
      4,
    );
    expect(scores[0]).toBe(1);
    expect(scores[1]).toBeCloseTo(0.9, 5); // halfway between 200 ms and the 2 s timeout
    expect(scores[2]).toBe(0);
    expect(scores[3]).toBe(0);
    expect(scoreAnswer(5, 5, 5000)).toBeCloseTo(0.8, 10);
  });
});
