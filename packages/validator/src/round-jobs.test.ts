import { describe, expect, it } from 'vitest';
import type { DendriteResponse } from './dendrite.js';
import { fromJobValue, toJobValue } from './round-jobs.js';

describe('query job values', () => {
  it('carry artifact bytes through JSON and leave JSON answers as they are', () => {
    const bytes = new Uint8Array([0, 255, 7, 128]);
    const artifact: DendriteResponse = {
      uid: 1,
      hotkey: 'h',
      outcome: 'ok',
      latencyMs: 3,
      attempts: 1,
      response: bytes.subarray(1),
      artifact: { bytes: 3 },
    };
    const back = fromJobValue(JSON.parse(JSON.stringify(toJobValue(artifact))));
    expect(back.response).toBeInstanceOf(Uint8Array);
    expect([...(back.response as Uint8Array)]).toEqual([255, 7, 128]);
    const json: DendriteResponse = {
      uid: 2,
      hotkey: 'g',
      outcome: 'ok',
      latencyMs: 1,
      attempts: 1,
      response: 'text',
    };
    expect(fromJobValue(JSON.parse(JSON.stringify(toJobValue(json))))).toEqual(json);
  });
});
