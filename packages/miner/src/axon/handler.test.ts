import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Deadline, RequestTimeout } from '../deadline.js';
import type { SynapseRunner } from '../runner.js';
import { createSynapseHandler } from './handler.js';

const log = pino({ level: 'silent' });

/** Runs the handler behind a stand-in for the hooks that fill the call. */
async function serve(run: SynapseRunner['run'], timeoutMs = 1_000, artifact?: { maxBytes: number }) {
  const released: number[] = [];
  const app = Fastify();
  app.decorateRequest('synapseCall', null as never);
  app.addHook('preHandler', async (request) => {
    const deadline = new Deadline(timeoutMs);
    request.synapseCall = {
      synapse: 'Add',
      started: performance.now(),
      priority: 0,
      caller: { hotkey: 'v' },
      deadline,
      release: () => released.push(1),
      dispose: () => deadline.dispose(),
    };
  });
  app.post(
    '/Add',
    createSynapseHandler({
      synapse: 'Add',
      subnet: 'test',
      runner: { run, close: async () => {} },
      response: Type.Object({ sum: Type.Integer() }),
      hotkey: '5Miner',
      log,
      ...(artifact ? { artifact } : {}),
    }),
  );
  return { app, released };
}

describe('synapse handler', () => {
  it('answers the result with the protocol headers and hands the slot to the work', async () => {
    const { app, released } = await serve(async (req) => ({ sum: (req as { a: number }).a + 1 }));
    const res = await app.inject({ method: 'POST', url: '/Add', payload: { a: 1 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sum: 2 });
    expect(res.headers['x-bittensor-hotkey']).toBe('5Miner');
    expect(Number(res.headers['x-bittensor-process-time'])).toBeGreaterThanOrEqual(0);
    expect(released).toEqual([1]);
    await app.close();
  });

  it('throws InternalError for a response off its schema, and the deadline past the timeout', async () => {
    const garbage = await serve(async () => ({ sum: 'two' }));
    const res = await garbage.app.inject({ method: 'POST', url: '/Add', payload: {} });
    expect(res.statusCode).toBe(500);
    expect(res.json().message).toMatch(/invalid response/);
    await garbage.app.close();
    let timedOut: unknown;
    const slow = await serve(() => new Promise((r) => setTimeout(() => r({ sum: 1 }), 300)), 30);
    slow.app.setErrorHandler((err, _req, reply) => {
      timedOut = err;
      return reply.code(408).send();
    });
    expect((await slow.app.inject({ method: 'POST', url: '/Add', payload: {} })).statusCode).toBe(408);
    expect(timedOut).toBeInstanceOf(RequestTimeout);
    expect(slow.released).toEqual([]); // still held by the running work
    await new Promise((r) => setTimeout(r, 350));
    expect(slow.released).toEqual([1]);
    await slow.app.close();
  });

  it('answers an artifact synapse with its bytes as application/octet-stream, within the cap', async () => {
    const { app, released } = await serve(async () => new Uint8Array([1, 2, 3, 250]), 1_000, {
      maxBytes: 4,
    });
    const res = await app.inject({ method: 'POST', url: '/Add', payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect([...res.rawPayload]).toEqual([1, 2, 3, 250]);
    expect(released).toEqual([1]);
    await app.close();
    for (const bad of [new Uint8Array(5), new Uint8Array(0), { sum: 1 }]) {
      const wrong = await serve(async () => bad, 1_000, { maxBytes: 4 });
      const r = await wrong.app.inject({ method: 'POST', url: '/Add', payload: {} });
      expect(r.statusCode).toBe(500);
      expect(r.json().message).toMatch(/invalid artifact/);
      await wrong.app.close();
    }
  });
});
