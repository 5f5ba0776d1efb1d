import { WIRE_ERROR_KINDS, WIRE_ERRORS } from '@subnetkit/core';
import echo from '@subnetkit/subnet-echo';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from './openapi.js';

describe('/openapi.json', () => {
  it('documents every wire-error kind under its status, with its meaning, on every synapse', () => {
    const doc = buildOpenApi(echo, { hotkey: '5Miner', netuid: 1 }) as {
      paths: Record<
        string,
        { post: { responses: Record<string, { description: string; content: unknown }> } }
      >;
      components: { schemas: { Error: { properties: { error: { anyOf: { const: string }[] } } } } };
    };
    expect(doc.components.schemas.Error.properties.error.anyOf.map((k) => k.const)).toEqual(WIRE_ERROR_KINDS);
    for (const path of Object.values(doc.paths)) {
      for (const kind of WIRE_ERROR_KINDS) {
        const response = path.post.responses[String(WIRE_ERRORS[kind].status)];
        expect(response, kind).toBeDefined();
        expect(response!.description).toContain(`${kind}`);
        expect(response!.description).toContain(WIRE_ERRORS[kind].meaning);
        expect(JSON.stringify(response!.content)).toContain(`"${kind}"`);
      }
    }
  });
});
