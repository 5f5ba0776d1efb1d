import { describe, expect, it } from 'vitest';
import { axonMessage, classifyNetworkError, classifyResponse, errorCode, isRetryable } from './classify.js';

const anything = () => undefined;

describe('classify', () => {
  it('maps network errors to timeout or refused', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyNetworkError(refused, false).outcome).toBe('refused');
    expect(classifyNetworkError(refused, false).error).toMatch(/ECONNREFUSED/);
    expect(classifyNetworkError(new Error('aborted'), true).outcome).toBe('timeout');
    const connectTimeout = Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
    expect(classifyNetworkError(connectTimeout, false).outcome).toBe('timeout');
    const wrapped = new Error('fetch failed', {
      cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
    });
    expect(errorCode(wrapped)).toBe('ECONNRESET');
    expect(classifyNetworkError(wrapped, false).outcome).toBe('refused');
  });

  it('keeps the axon message of an HTTP error and judges an answer without a kind by its status', () => {
    expect(classifyResponse(403, '{"message":"Non-validator hotkey"}', anything)).toEqual({
      outcome: 'refused',
      error: 'HTTP 403: Non-validator hotkey',
    });
    expect(classifyResponse(500, 'boom', anything)).toEqual({
      outcome: 'http_error',
      error: 'HTTP 500: boom',
    });
    expect(classifyResponse(408, '', anything).outcome).toBe('timeout');
    expect(classifyResponse(503, 'busy', anything).outcome).toBe('overloaded');
    expect(classifyResponse(502, '', anything).error).toBe('HTTP 502');
    expect(axonMessage('{"error":"bad"}')).toBe('bad');
  });

  it('classifies an answer by the catalogue kind in its body', () => {
    const answer = (error: string, message: string) => JSON.stringify({ error, message });
    expect(classifyResponse(408, answer('Timeout', 'Compute took longer than 100 ms'), anything)).toEqual({
      outcome: 'timeout',
      kind: 'Timeout',
      error: 'HTTP 408 Timeout: Compute took longer than 100 ms',
    });
    expect(classifyResponse(403, answer('NotRegistered', 'no'), anything)).toMatchObject({
      outcome: 'refused',
      kind: 'NotRegistered',
    });
    expect(classifyResponse(401, answer('BadSignature', 'no'), anything).outcome).toBe('refused');
    expect(classifyResponse(503, answer('ShuttingDown', 'bye'), anything).outcome).toBe('overloaded');
    expect(classifyResponse(400, answer('InvalidRequest', 'field /a'), anything).outcome).toBe('http_error');
    // An unknown kind is no kind: the status decides.
    expect(classifyResponse(403, answer('Forbidden', 'no'), anything)).toEqual({
      outcome: 'refused',
      error: 'HTTP 403: no',
    });
  });

  it('checks 2xx bodies: JSON and schema', () => {
    expect(classifyResponse(200, 'not json', anything).outcome).toBe('invalid_response');
    const schema = (b: unknown) =>
      typeof (b as { result?: unknown }).result === 'number' ? undefined : 'result missing';
    expect(classifyResponse(200, '{"x":1}', schema)).toEqual({
      outcome: 'invalid_response',
      error: 'result missing',
    });
    expect(classifyResponse(200, '{"result":3}', schema)).toEqual({ outcome: 'ok', response: { result: 3 } });
  });

  it('retries network timeouts and refusals, and answers the catalogue calls retryable', () => {
    expect(isRetryable('timeout')).toBe(true);
    expect(isRetryable('refused')).toBe(true);
    expect(isRetryable('http_error', 500)).toBe(true);
    expect(isRetryable('overloaded', 503)).toBe(true);
    expect(isRetryable('overloaded', 503, 'ShuttingDown')).toBe(true);
    expect(isRetryable('refused', 403)).toBe(false);
    expect(isRetryable('refused', 401, 'BadSignature')).toBe(false);
    expect(isRetryable('refused', 401, 'ReplayedRequest')).toBe(true);
    expect(isRetryable('timeout', 408, 'Timeout')).toBe(true);
    expect(isRetryable('http_error', 400, 'InvalidRequest')).toBe(false);
    expect(isRetryable('invalid_response')).toBe(false);
    expect(isRetryable('ok')).toBe(false);
  });
});
