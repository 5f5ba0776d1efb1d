import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { buildLegacyHeaders, LEGACY_EMPTY_BODY_HASH, MemoryLegacyNonceStore } from '@subnetkit/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCall } from './call.js';
import { createErrorHandler } from './errors.js';
import { legacyV10 } from './legacy-v10.js';

const log = pino({ level: 'silent' });
let validator: ReturnType<Keyring['addFromUri']>;
let miner: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  validator = keyring.addFromUri('//Alice');
  miner = keyring.addFromUri('//Bob').address;
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** A synapse scope with the legacy plugin and a route that echoes what reached the handler. */
async function app() {
  const seen: unknown[] = [];
  const a = Fastify();
  apps.push(a);
  a.removeAllContentTypeParsers();
  a.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  a.decorateRequest('synapseCall', null as never);
  a.setErrorHandler(createErrorHandler({ hotkey: miner, bodyLimit: 1024, subnet: 'echo', log }));
  await a.register(async (scope) => {
    scope.addHook('onRequest', openCall);
    await scope.register(legacyV10, { receiver: miner, nonceStore: new MemoryLegacyNonceStore(), log });
    scope.post('/Compute', { config: { synapse: 'Compute' } }, async (request, reply) => {
      seen.push({ body: request.body, hotkey: request.synapseCall.hotkey });
      return reply
        .header('x-bittensor-process-time', '0.001000')
        .type('application/json')
        .send(JSON.stringify({ result: 20 }));
    });
  });
  return { app: a, seen };
}

const synapse = { name: 'Compute', timeout: 12, axon: { hotkey: '' }, dendrite: {}, a: 4, b: 5 };

async function legacyHeaders() {
  return buildLegacyHeaders({
    signer: validator,
    synapseName: 'Compute',
    axon: { ip: '10.0.0.2', port: 8091, hotkey: miner },
    dendrite: { ip: '10.0.0.1', uuid: 'test-uuid' },
    bodyHash: LEGACY_EMPTY_BODY_HASH,
  });
}

describe('legacy v10 plugin', () => {
  it('verifies, strips the base fields for the handler and answers the full synapse', async () => {
    const { app: a, seen } = await app();
    const res = await a.inject({
      method: 'POST',
      url: '/Compute',
      payload: JSON.stringify(synapse),
      headers: await legacyHeaders(),
    });
    expect(res.statusCode).toBe(200);
    expect(seen).toEqual([{ body: { a: 4, b: 5 }, hotkey: validator.address }]);
    expect(res.json()).toMatchObject({
      name: 'Compute',
      a: 4,
      result: 20,
      axon: { status_code: 200, hotkey: miner },
    });
    expect(res.headers.bt_header_axon_status_code).toBe('200');
    expect(res.headers.bt_header_axon_process_time).toBe('0.001000');
  });

  it('answers a failed verification in the legacy shape, with the kind', async () => {
    const { app: a, seen } = await app();
    const headers = { ...(await legacyHeaders()), bt_header_dendrite_signature: `0x${'00'.repeat(64)}` };
    const res = await a.inject({
      method: 'POST',
      url: '/Compute',
      payload: JSON.stringify(synapse),
      headers,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('LegacyAuth');
    expect(res.json().message).toMatch(/^LegacyAuth: Not Verified/);
    expect(res.headers.bt_header_axon_status_code).toBe('401');
    expect(seen).toEqual([]);
  });

  it('leaves requests without legacy headers alone', async () => {
    const { app: a, seen } = await app();
    const res = await a.inject({ method: 'POST', url: '/Compute', payload: '{"a":1}' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ result: 20 });
    expect(res.headers.bt_header_axon_status_code).toBeUndefined();
    expect((seen[0] as { body: unknown }).body).toBeInstanceOf(Buffer);
  });
});
