import { describe, expect, it, vi } from 'vitest';
import { MetagraphCache, staticMetagraph } from './metagraph.js';
import { createAccessCheck } from './policy.js';

const snapshot = { hotkeys: ['val', 'miner'], stake: [500, 3], validatorPermit: [true, false] };

describe('createAccessCheck', () => {
  it('admits registered validators with their stake as priority', () => {
    const check = createAccessCheck({}, staticMetagraph(snapshot), 7);
    expect(check('val')).toEqual({ ok: true, caller: { hotkey: 'val', uid: 0, stake: 500 }, priority: 500 });
  });

  it('refuses unregistered and permitless hotkeys with a reason naming the netuid', () => {
    const check = createAccessCheck({}, staticMetagraph(snapshot), 7);
    const unknown = check('nobody');
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.reason).toBe('NotRegistered');
    expect(!unknown.ok && unknown.message).toContain('netuid 7');
    const miner = check('miner');
    expect(!miner.ok && miner.reason).toBe('NoValidatorPermit');
    expect(createAccessCheck({ allowNonValidators: true }, staticMetagraph(snapshot), 7)('miner').ok).toBe(
      true,
    );
  });

  it("admits registered hotkeys without a permit on a synapse open to 'registered'", () => {
    const check = createAccessCheck({ deny: ['val'] }, staticMetagraph(snapshot), 7);
    expect(check('miner', 'registered')).toEqual({
      ok: true,
      caller: { hotkey: 'miner', uid: 1, stake: 3 },
      priority: 3,
    });
    expect(check('miner', 'validators').ok).toBe(false);
    expect(check('nobody', 'registered').ok).toBe(false);
    expect(check('val', 'registered').ok).toBe(false);
  });

  it('lets deny win over allow and allow admit unregistered hotkeys', () => {
    const check = createAccessCheck(
      { allow: ['nobody', 'val'], deny: ['val'] },
      staticMetagraph(snapshot),
      7,
    );
    expect(check('val').ok).toBe(false);
    expect(check('nobody')).toEqual({ ok: true, caller: { hotkey: 'nobody' }, priority: 0 });
  });
});

describe('MetagraphCache', () => {
  it('keeps the last good snapshot when a refresh fails', async () => {
    let calls = 0;
    const onError = vi.fn();
    const cache = new MetagraphCache({
      netuid: 1,
      load: async () => {
        calls++;
        if (calls > 1) throw new Error('chain unreachable');
        return snapshot;
      },
      onError,
    });
    await cache.start();
    expect(cache.lookup('val')).toEqual({ uid: 0, stake: 500, validatorPermit: true });
    await cache.refresh();
    expect(onError).toHaveBeenCalledOnce();
    expect(cache.lookup('val')?.uid).toBe(0);
    cache.stop();
  });

  it('fails start when the first load fails', async () => {
    const cache = new MetagraphCache({ netuid: 1, load: async () => Promise.reject(new Error('down')) });
    await expect(cache.start()).rejects.toThrow('down');
  });
});
