import { WireError } from '@subnetkit/core';
import { BatcherClosedError, QueueFullError } from '@subnetkit/inference';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ClientGone, RequestTimeout } from '../deadline.js';
import { OverloadedError } from '../priority-gate.js';
import { createErrorHandler, createNotFoundHandler, toWireError } from './errors.js';

const context = { synapse: 'Compute', bodyLimit: 256 };

describe('toWireError', () => {
  it('maps every known failure to its catalogue kind', () => {
    const cases: [unknown, string][] = [
      [new WireError('Denied', 'no'), 'Denied'],
      [new RequestTimeout(100), 'Timeout'],
      [new OverloadedError(1, 0), 'Overloaded'],
      [new QueueFullError(1), 'Overloaded'],
      [new BatcherClosedError(), 'ShuttingDown'],
      [new ClientGone(), 'ClientClosed'],
      [
        Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' }),
        'PayloadTooLarge',
      ],
      [Object.assign(new Error('bad content-length'), { statusCode: 400 }), 'InvalidRequest'],
    ];
    for (const [err, kind] of cases) expect(toWireError(err, context)?.kind, kind).toBe(kind);
    expect(toWireError(new RequestTimeout(100), context)?.message).toContain(
      'Compute took longer than its 100 ms',
    );
    expect(toWireError(Object.assign(new Error('x'), { statusCode: 413 }), context)?.message).toContain(
      '256-byte',
    );
  });

  it('leaves unexpected errors to the InternalError path', () => {
    expect(toWireError(new Error('model exploded'), context)).toBeUndefined();
    expect(toWireError(undefined, context)).toBeUndefined();
  });
});

describe('the error and not-found handlers', () => {
  it('answer catalogue bodies; an unexpected error is logged with an id, not sent', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const app = Fastify();
    app.setErrorHandler(createErrorHandler({ hotkey: '5Miner', bodyLimit: 256, subnet: 'echo', log }));
    app.setNotFoundHandler(createNotFoundHandler(['Compute'], '5Miner'));
    app.post('/Compute', { config: { synapse: 'Compute' } }, async () => {
      throw new Error('model exploded');
    });
    app.get('/denied', async () => {
      throw new WireError('Denied', 'on the deny list');
    });
    const crashed = await app.inject({ method: 'POST', url: '/Compute' });
    expect(crashed.statusCode).toBe(500);
    expect(crashed.json().error).toBe('InternalError');
    expect(crashed.json().message).not.toContain('exploded');
    expect(crashed.headers['x-bittensor-hotkey']).toBe('5Miner');
    expect(lines.join('')).toContain('model exploded');
    expect((await app.inject({ method: 'GET', url: '/denied' })).json()).toEqual({
      error: 'Denied',
      message: 'on the deny list',
    });
    const missing = await app.inject({ method: 'POST', url: '/Nope?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'UnknownSynapse' });
    expect(missing.json().message).toContain('POST /Compute');
    await app.close();
  });
});
