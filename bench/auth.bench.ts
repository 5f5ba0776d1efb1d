/**
 * Request-auth costs a miner pays per call: one sr25519 verify with each implementation, and full
 * btauth/1 `verifyRequest` throughput (SS58 decode, sha256, signature, MemoryReplayStore) on one core.
 */
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  activeSr25519Backend,
  type BtAuthRequest,
  MemoryReplayStore,
  signRequest,
  verifyRequest,
  verifySr25519Polkadot,
  verifySr25519Schnorrkel,
} from '@subnetkit/core';

/** One reported number (same shape as `Figure` in bench/harness.ts). */
type Figure = { name: string; value: number; unit: string; note?: string };

/** Mean microseconds per call of `fn`, after a warm-up, running for about `budgetMs`. */
function perCallUs(fn: () => unknown, budgetMs: number): { us: number; calls: number } {
  for (let i = 0; i < 5; i++) fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 5; i++) fn();
    calls += 5;
    elapsed = performance.now() - start;
  }
  return { us: (elapsed * 1000) / calls, calls };
}

export default async function authBench(): Promise<Figure[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  const validator = keyring.addFromUri('//Alice');
  const miner = keyring.addFromUri('//Bob');

  const message = new TextEncoder().encode('x'.repeat(200)); // about the size of a btauth/1 payload
  const signature = validator.sign(message);
  if (!verifySr25519Polkadot(message, signature, validator.publicKey))
    throw new Error('polkadot verify failed');
  if (!verifySr25519Schnorrkel(message, signature, validator.publicKey))
    throw new Error('schnorrkel verify failed');
  const polkadot = perCallUs(() => verifySr25519Polkadot(message, signature, validator.publicKey), 3_000);
  const schnorrkel = perCallUs(() => verifySr25519Schnorrkel(message, signature, validator.publicKey), 3_000);
  const ratio = polkadot.us / schnorrkel.us;

  // Full verifyRequest over distinct pre-signed requests (a replay store rejects repeats).
  const body = new TextEncoder().encode(JSON.stringify({ prompt: 'hello', max_tokens: 64 }));
  const baseNonce = BigInt(Date.now()) * 1_000_000n;
  const requests: BtAuthRequest[] = [];
  for (let i = 0; i < 400; i++) {
    const headers = await signRequest({
      signer: validator,
      method: 'POST',
      target: '/Generate',
      body,
      receiver: miner.address,
      nonce: baseNonce + BigInt(i),
    });
    requests.push({ method: 'POST', target: '/Generate', headers, body });
  }
  const now = () => baseNonce + 1_000_000_000n;
  let verified = 0;
  let totalMs = 0;
  for (let pass = 0; pass < 6; pass++) {
    const replayStore = new MemoryReplayStore(); // fresh per pass so the same 400 requests are new again
    const start = performance.now();
    for (const request of requests) {
      const result = await verifyRequest(request, { receiver: miner.address, replayStore, now });
      if (!result.ok) throw new Error(`bench request failed: ${result.message}`);
    }
    if (pass > 0) {
      totalMs += performance.now() - start; // pass 0 is the warm-up
      verified += requests.length;
    }
  }
  const perSecond = (verified * 1000) / totalMs;

  return [
    {
      name: 'core.sr25519_verify_us_polkadot',
      value: polkadot.us,
      unit: 'us',
      note: `sr25519Verify of @polkadot/util-crypto (@scure/sr25519, pure JS), 200-byte message, ${polkadot.calls} calls`,
    },
    {
      name: 'core.sr25519_verify_us_schnorrkel',
      value: schnorrkel.us,
      unit: 'us',
      note:
        `@polkadot-labs/schnorrkel-wasm incl. JS pre-checks, ${schnorrkel.calls} calls; ${ratio.toFixed(1)}x faster ` +
        `than polkadot-js in the same run; active backend: ${activeSr25519Backend()}`,
    },
    {
      name: 'core.btauth_verify_per_s',
      value: perSecond,
      unit: 'req/s',
      note: `full verifyRequest (shape, receiver, freshness, sha256, sr25519 via ${activeSr25519Backend()}, MemoryReplayStore), one core, ${verified} distinct keyring-signed requests`,
    },
  ];
}
