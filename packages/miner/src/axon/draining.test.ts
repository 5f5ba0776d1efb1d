import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createDrain } from './draining.js';

describe('drain hooks', () => {
  it('refuse new work with ShuttingDown and close connections once closing', async () => {
    const drain = createDrain();
    const app = Fastify();
    app.addHook('onSend', drain.closeConnections);
    app.addHook('onRequest', drain.refuseNewWork);
    app.get('/work', async () => 'done');
    const before = await app.inject({ method: 'GET', url: '/work' });
    expect(before.statusCode).toBe(200);
    expect(before.headers.connection).not.toBe('close');
    drain.preClose(() => {});
    const after = await app.inject({ method: 'GET', url: '/work' });
    expect(after.statusCode).toBe(503);
    expect(after.json().message).toMatch(/shutting down/);
    expect(after.headers.connection).toBe('close');
    await app.close();
  });
});
