import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BtAuthFailureKind } from '../auth/btauth.js';
import {
  classifyWireAnswer,
  isWireErrorKind,
  readWireError,
  WIRE_ERROR_KINDS,
  WIRE_ERRORS,
  WireError,
  type WireErrorKind,
  wireErrorsByStatus,
} from './errors.js';

describe('wire-error catalogue', () => {
  it('holds every btauth/1 failure kind as a 401', () => {
    expectTypeOf<BtAuthFailureKind>().toMatchTypeOf<WireErrorKind>();
    const btauthKinds: BtAuthFailureKind[] = [
      'MalformedAuth',
      'WrongReceiver',
      'StaleRequest',
      'BadSignature',
      'ReplayedRequest',
    ];
    for (const kind of btauthKinds) expect(WIRE_ERRORS[kind].status).toBe(401);
  });

  it('gives every kind a client or server error status and a one-line meaning', () => {
    for (const kind of WIRE_ERROR_KINDS) {
      const spec = WIRE_ERRORS[kind];
      expect(spec.status, kind).toBeGreaterThanOrEqual(400);
      expect(spec.status, kind).toBeLessThan(600);
      expect(spec.meaning.length, kind).toBeGreaterThan(10);
      expect(spec.meaning, kind).not.toMatch(/\n/);
    }
  });

  it('groups kinds by status in status order', () => {
    const byStatus = wireErrorsByStatus();
    expect([...byStatus.keys()]).toEqual([400, 401, 403, 404, 408, 413, 499, 500, 503]);
    expect(byStatus.get(403)).toEqual(['Denied', 'NotRegistered', 'NoValidatorPermit']);
    expect(byStatus.get(503)).toEqual(['Overloaded', 'ShuttingDown', 'Unavailable']);
  });

  it('builds the failure body from a WireError', () => {
    const err = new WireError('InvalidRequest', 'field /a: Expected number', { field: '/a' });
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.body()).toEqual({
      error: 'InvalidRequest',
      message: 'field /a: Expected number',
      field: '/a',
    });
    expect(new WireError('Overloaded', 'busy').body()).toEqual({ error: 'Overloaded', message: 'busy' });
  });

  it('reads the kind back from a body, ignoring unknown kinds and non-JSON', () => {
    expect(readWireError('{"error":"Timeout","message":"slow"}')).toEqual({
      kind: 'Timeout',
      message: 'slow',
    });
    expect(readWireError('{"error":"Forbidden","message":"no"}')).toEqual({ message: 'no' });
    expect(readWireError('{"error":"toString"}')).toEqual({});
    expect(readWireError('not json')).toEqual({});
    expect(isWireErrorKind('Denied')).toBe(true);
    expect(isWireErrorKind('constructor')).toBe(false);
  });

  it('classifies an answer by its kind, else by what all kinds of its status share', () => {
    expect(classifyWireAnswer(503, 'ShuttingDown')).toEqual({ outcome: 'overloaded', retryable: true });
    expect(classifyWireAnswer(401, 'StaleRequest')).toEqual({ outcome: 'refused', retryable: true });
    expect(classifyWireAnswer(401, 'BadSignature')).toEqual({ outcome: 'refused', retryable: false });
    // A Python axon: no kind in the body.
    expect(classifyWireAnswer(403)).toEqual({ outcome: 'refused', retryable: false });
    expect(classifyWireAnswer(408)).toEqual({ outcome: 'timeout', retryable: true });
    expect(classifyWireAnswer(503)).toEqual({ outcome: 'overloaded', retryable: true });
    expect(classifyWireAnswer(401)).toEqual({ outcome: 'refused', retryable: false });
    expect(classifyWireAnswer(502)).toEqual({ outcome: 'http_error', retryable: true });
    expect(classifyWireAnswer(422)).toEqual({ outcome: 'http_error', retryable: false });
  });
});
