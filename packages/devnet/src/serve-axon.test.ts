import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type Devnet } from './devnet.js';
import { connect, type DevApi, key, send } from './test-helpers.js';

await cryptoWaitReady();
const hot = key('//Alice//axon');

describe('serve_axon in strict mode (subtensor rule: loopback refused)', () => {
  let dn: Devnet;
  let api: DevApi;

  beforeAll(async () => {
    dn = await startDevnet({
      port: 0,
      strictServeAxon: true,
      genesis: {
        subnets: [
          {
            netuid: 1,
            owner: 'alice',
            hyperparameters: { servingRateLimit: 0 },
            neurons: [{ hotkey: '//Alice//axon', coldkey: 'alice' }],
          },
        ],
      },
    });
    api = await connect(dn.url);
  });

  afterAll(async () => {
    await api?.disconnect();
    await dn?.stop();
  });

  const serve = (ip: bigint, ipType: number) =>
    api.tx.subtensorModule.serveAxon(1, 1, ip, 8091, ipType, 4, 0, 0);

  it('refuses 127.0.0.1 and ::1', async () => {
    const refused = (tx: unknown) => send(api, tx as never, hot).then(() => 'accepted', String);
    // InvalidIpAddress is CustomTransactionError 11 in subtensor's pool check.
    expect(await refused(serve(0x7f000001n, 4))).toMatch(/1010: Invalid Transaction: Custom error: 11/);
    expect(await refused(serve(1n, 6))).toMatch(/Custom error: 11/);
  });

  it('accepts private and public addresses', async () => {
    expect((await send(api, serve(0xc0a8010an, 4), hot)).ok).toBe(true);
    const axon = (await api.query.subtensorModule.axons(1, hot.address)).toJSON() as { ip: number };
    expect(BigInt(axon.ip)).toBe(0xc0a8010an);
  });
});
