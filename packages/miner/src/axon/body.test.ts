import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { decodeBody, schemaValidator } from './body.js';
import { fakeRequest } from './testing.js';

describe('decodeBody (preValidation)', () => {
  it('parses the raw bytes as JSON', async () => {
    const request = fakeRequest({ body: new TextEncoder().encode('{"a":1}') });
    await decodeBody(request);
    expect(request.body).toEqual({ a: 1 });
  });

  it('answers InvalidRequest for bytes that are not JSON, or no body', async () => {
    const bad = fakeRequest({ body: new TextEncoder().encode('{"a":') });
    await expect(decodeBody(bad)).rejects.toMatchObject({
      kind: 'InvalidRequest',
      message: /not valid JSON/,
    });
    await expect(decodeBody(fakeRequest())).rejects.toMatchObject({ kind: 'InvalidRequest' });
  });

  it('keeps a body an earlier hook already decoded', async () => {
    const request = fakeRequest({ body: { b: 2 } });
    await decodeBody(request);
    expect(request.body).toEqual({ b: 2 });
  });
});

describe('schemaValidator (validation)', () => {
  const validate = schemaValidator(Type.Object({ a: Type.Integer(), b: Type.Integer() }));

  it('passes a matching body and names the field of a mismatch', () => {
    expect(validate({ a: 1, b: 2 })).toBe(true);
    const result = validate({ a: 'one', b: 2 });
    expect(result).not.toBe(true);
    const { error } = result as { error: { kind: string; field: string; message: string } };
    expect(error).toMatchObject({ kind: 'InvalidRequest', field: '/a' });
    expect(error.message).toContain('/a');
  });
});
