import { ChainError } from '@subnetkit/chain';
import { describe, expect, it } from 'vitest';
import { classifyChainError } from './chain-errors.js';

describe('classifyChainError', () => {
  it("takes kind and permanence from @subnetkit/chain's ChainError", () => {
    const tooFast = new ChainError('Preflight', 'weights set too fast: wait 3 blocks', {
      chainError: 'SettingWeightsTooFast',
    });
    expect(classifyChainError(tooFast)).toEqual({
      kind: 'rate_limited',
      permanent: false,
      message: 'SettingWeightsTooFast: weights set too fast: wait 3 blocks',
    });
    const noPermit = new ChainError('Dispatch', 'NeuronNoValidatorPermit: uid 3', {
      chainError: 'NeuronNoValidatorPermit',
    });
    expect(classifyChainError(noPermit)).toEqual({
      kind: 'rejected',
      permanent: true,
      message: 'NeuronNoValidatorPermit: uid 3',
    });
    const pool = new ChainError('PoolRejected', 'rejected: too few weights', {
      chainError: 'WeightVecLengthIsLow',
    });
    expect(classifyChainError(pool)).toMatchObject({ kind: 'other', permanent: false });
    const dropped = new ChainError(
      'PoolRejected',
      'setWeights rejected by the node: WebSocket is not connected',
    );
    expect(classifyChainError(dropped)).toMatchObject({ kind: 'connection', permanent: false });
    const down = new ChainError('ConnectionFailed', 'cannot reach ws://x');
    expect(classifyChainError(down)).toMatchObject({ kind: 'connection', permanent: false });
    expect(classifyChainError(new ChainError('BadInput', 'values[0] is 0.5'))).toMatchObject({
      kind: 'rejected',
      permanent: true,
    });
  });

  it('treats any other error as transient, recognising connection trouble by its message', () => {
    expect(classifyChainError(new Error('WebSocket is not connected'))).toMatchObject({
      kind: 'connection',
      permanent: false,
    });
    // A name in a plain message is not parsed: only ChainError carries a retry class.
    expect(classifyChainError(new Error('NeuronNoValidatorPermit: uid 3'))).toMatchObject({
      kind: 'other',
      permanent: false,
    });
    expect(classifyChainError('weird')).toEqual({ kind: 'other', permanent: false, message: 'weird' });
  });
});
