import { describe, expect, it } from 'vitest';
import { classifyChainError } from './chain-errors.js';

describe('classifyChainError', () => {
  it('sorts errors by kind and permanence', () => {
    expect(classifyChainError(new Error('SettingWeightsTooFast'))).toMatchObject({
      kind: 'rate_limited',
      permanent: false,
    });
    expect(classifyChainError(new Error('NeuronNoValidatorPermit: uid 3'))).toMatchObject({
      kind: 'rejected',
      permanent: true,
    });
    expect(classifyChainError(new Error('WebSocket is not connected'))).toMatchObject({ kind: 'connection' });
    expect(classifyChainError('weird')).toMatchObject({ kind: 'other', permanent: false, message: 'weird' });
  });

  it("reads @subnetkit/chain's ChainError fields", () => {
    const tooFast = Object.assign(new Error('weights set too fast: wait 3 blocks'), {
      code: 'Preflight',
      chainError: 'SettingWeightsTooFast',
    });
    expect(classifyChainError(tooFast)).toMatchObject({
      kind: 'rate_limited',
      message: 'SettingWeightsTooFast: weights set too fast: wait 3 blocks',
    });
    const noPermit = Object.assign(new Error('no permit'), {
      code: 'Dispatch',
      chainError: 'NeuronNoValidatorPermit',
    });
    expect(classifyChainError(noPermit).permanent).toBe(true);
    const down = Object.assign(new Error('cannot reach ws://x'), { code: 'ConnectionFailed' });
    expect(classifyChainError(down)).toMatchObject({ kind: 'connection', permanent: false });
  });
});
