import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { MemoryReplayStore, signRequest, WireError } from '@subnetkit/core';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticate } from './authenticate.js';
import { fakeRequest } from './testing.js';

const log = pino({ level: 'silent' });
let validator: { address: string; type: string; sign(m: Uint8Array): Uint8Array };
let miner: string;

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  validator = keyring.addFromUri('//Alice');
  miner = keyring.addFromUri('//Bob').address;
});

async function signedRequest(body = '{"a":1}') {
  const headers = await signRequest({
    signer: validator,
    method: 'POST',
    target: '/Compute',
    body,
    receiver: miner,
  });
  return fakeRequest({ headers, body: new TextEncoder().encode(body) });
}

describe('authenticate (preValidation)', () => {
  it('sets the verified hotkey, and refuses a replay with its kind', async () => {
    const failures: string[] = [];
    const hook = createAuthenticate({
      receiver: miner,
      replayStore: new MemoryReplayStore(),
      log,
      onFailure: (k) => failures.push(k),
    });
    const request = await signedRequest();
    await hook(request);
    expect(request.synapseCall.hotkey).toBe(validator.address);
    const again = fakeRequest({ headers: request.headers as Record<string, string>, body: request.body });
    await expect(hook(again)).rejects.toMatchObject({ kind: 'ReplayedRequest', status: 401 });
    expect(failures).toEqual(['ReplayedRequest']);
  });

  it('answers MalformedAuth without headers, and passes a caller an earlier hook verified', async () => {
    const hook = createAuthenticate({ receiver: miner, replayStore: new MemoryReplayStore(), log });
    const err = await hook(fakeRequest({ body: new Uint8Array(0) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).kind).toBe('MalformedAuth');
    const verified = fakeRequest({ call: { hotkey: 'already-verified' } });
    await hook(verified);
    expect(verified.synapseCall.hotkey).toBe('already-verified');
  });

  it('answers 503 Unavailable when the replay store fails', async () => {
    const hook = createAuthenticate({
      receiver: miner,
      replayStore: { remember: () => Promise.reject(new Error('ECONNREFUSED')) },
      log,
    });
    await expect(hook(await signedRequest())).rejects.toMatchObject({ kind: 'Unavailable', status: 503 });
  });
});
