/**
 * The request body: decoded from the raw bytes once the caller is authenticated (preValidation),
 * then checked against the synapse's TypeBox schema in Fastify's validation step. Both failures are
 * 400 InvalidRequest; a schema failure names the field.
 */
import { WireError } from '@subnetkit/core';
import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyRequest } from 'fastify';

/** The first schema error of `value`: its JSON pointer and message. */
export function describeSchemaError(
  check: TypeCheck<TSchema>,
  value: unknown,
): { field: string; message: string } {
  const first = check.Errors(value).First();
  if (!first) return { field: '', message: 'does not match the schema' };
  return { field: first.path || '/', message: first.message };
}

/** preValidation: parses the raw body as JSON (a body an earlier hook already decoded is kept). */
export async function decodeBody(request: FastifyRequest): Promise<void> {
  const body = request.body;
  if (body !== undefined && !(body instanceof Uint8Array)) return;
  const raw = body ?? new Uint8Array(0);
  try {
    request.body = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch {
    throw new WireError(
      'InvalidRequest',
      `body is not valid JSON; send the ${request.synapseCall.synapse} request as a JSON object`,
    );
  }
}

/**
 * A Fastify `validatorCompiler` result for a synapse's request schema: TypeBox-compiled, failing
 * with InvalidRequest naming the field.
 */
export function schemaValidator(schema: TSchema): (value: unknown) => true | { error: WireError } {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return true;
    const { field, message } = describeSchemaError(check, value);
    return { error: new WireError('InvalidRequest', `field ${field}: ${message}`, { field }) };
  };
}
