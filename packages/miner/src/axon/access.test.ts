import { describe, expect, it } from 'vitest';
import { staticMetagraph } from '../metagraph.js';
import { createAccessCheck } from '../policy.js';
import { createAccessHook } from './access.js';
import { fakeRequest } from './testing.js';

const metagraph = staticMetagraph({
  hotkeys: ['validator', 'miner'],
  stake: [1000, 5],
  validatorPermit: [true, false],
});

describe('access policy (preHandler)', () => {
  it('admits a permitted validator with its stake as priority', async () => {
    const hook = createAccessHook(createAccessCheck({}, metagraph, 1));
    const request = fakeRequest({ call: { hotkey: 'validator' } });
    await hook(request);
    expect(request.synapseCall.caller).toEqual({ hotkey: 'validator', uid: 0, stake: 1000 });
    expect(request.synapseCall.priority).toBe(1000);
  });

  it('refuses with the reason as the kind, and counts it', async () => {
    const refused: string[] = [];
    const hook = createAccessHook(createAccessCheck({ deny: ['validator'] }, metagraph, 1), (r) =>
      refused.push(r),
    );
    for (const [hotkey, kind] of [
      ['validator', 'Denied'],
      ['stranger', 'NotRegistered'],
      ['miner', 'NoValidatorPermit'],
    ] as const) {
      await expect(hook(fakeRequest({ call: { hotkey } }))).rejects.toMatchObject({ kind, status: 403 });
    }
    expect(refused).toEqual(['Denied', 'NotRegistered', 'NoValidatorPermit']);
  });

  it('refuses to run before authentication', async () => {
    const hook = createAccessHook(createAccessCheck({}, metagraph, 1));
    await expect(hook(fakeRequest())).rejects.toThrow(/before authentication/);
  });
});
