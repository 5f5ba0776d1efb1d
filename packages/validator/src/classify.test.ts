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

  it('keeps the axon message of an HTTP error', () => {
    expect(classifyResponse(403, '{"message":"Non-validator hotkey"}', anything)).toEqual({
      outcome: 'http_error',
      error: 'HTTP 403: Non-validator hotkey',
    });
    expect(classifyResponse(500, 'boom', anything).error).toBe('HTTP 500: boom');
    expect(classifyResponse(502, '', anything).error).toBe('HTTP 502');
    expect(axonMessage('{"error":"bad"}')).toBe('bad');
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

  it('retries timeouts, refusals and 5xx only', () => {
    expect(isRetryable('timeout')).toBe(true);
    expect(isRetryable('refused')).toBe(true);
    expect(isRetryable('http_error', 503)).toBe(true);
    expect(isRetryable('http_error', 403)).toBe(false);
    expect(isRetryable('invalid_response')).toBe(false);
    expect(isRetryable('ok')).toBe(false);
  });
});
