/**
 * OpenAPI 3.1 description of an axon, generated from the plugin's TypeBox schemas, so validators
 * written in other languages can generate clients for `POST /<SynapseName>`.
 */
import {
  type AnySubnetPlugin,
  WIRE_ERRORS,
  WireErrorBodySchema,
  type WireErrorKind,
  wireErrorsByStatus,
} from '@subnetkit/core';

/**
 * One response per HTTP status of core's wire-error catalogue: the description lists each kind
 * with its meaning and whether a retry may succeed; the body schema narrows `error` to those kinds.
 */
function errorResponses(): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, kinds] of wireErrorsByStatus()) {
    responses[String(status)] = {
      description: kinds.map(describeKind).join('\n'),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { type: 'object', properties: { error: { type: 'string', enum: kinds } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

function describeKind(kind: WireErrorKind): string {
  const spec = WIRE_ERRORS[kind];
  return `${kind}${spec.retryable ? ' (retryable)' : ''}: ${spec.meaning}`;
}

/** Converts a TypeBox schema to plain JSON Schema (drops TypeBox's symbol keys). */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema));
}

const BTAUTH_PARAMS = [
  ['X-Bittensor-Version', 'Always `1`.'],
  ['X-Bittensor-Hotkey', 'Sender (validator) hotkey, SS58.'],
  ['X-Bittensor-Receiver', "This miner's hotkey, SS58."],
  ['X-Bittensor-Nonce', 'Unix time in nanoseconds, decimal; fresh for every attempt.'],
  ['X-Bittensor-Signature', '`0x` + hex sr25519 signature over the btauth/1 payload.'],
] as const;

/** Options of {@link buildOpenApi}. */
export interface OpenApiOptions {
  /** The miner's hotkey, shown in the description. */
  hotkey: string;
  netuid: number;
  /** Package version of @subnetkit/miner. */
  version?: string;
}

/** Builds the OpenAPI document served at `GET /openapi.json`. */
export function buildOpenApi(plugin: AnySubnetPlugin, options: OpenApiOptions): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: plain(WireErrorBodySchema) };
  const errors = errorResponses();
  const paths: Record<string, unknown> = {};
  const parameters = BTAUTH_PARAMS.map(([name, description]) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  for (const name of plugin.synapseNames) {
    const def = plugin.synapses[name]!;
    schemas[`${name}Request`] = plain(def.request);
    schemas[`${name}Response`] = plain(def.response);
    paths[`/${name}`] = {
      post: {
        operationId: name,
        summary: def.description ?? `${name} synapse`,
        description: `Timeout ${def.timeoutMs ?? 12_000} ms. Signed with btauth/1 (see the header parameters); the signature covers the exact body bytes.`,
        parameters,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Request` } } },
        },
        responses: {
          200: {
            description: 'The miner answer',
            headers: {
              'X-Bittensor-Hotkey': { description: "The miner's hotkey", schema: { type: 'string' } },
              'X-Bittensor-Process-Time': {
                description: 'Seconds spent answering',
                schema: { type: 'string' },
              },
            },
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Response` } } },
          },
          ...errors,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `subnetkit axon: ${plugin.name}`,
      version: options.version ?? '0.1.0',
      description:
        `${plugin.description ?? ''} Miner hotkey ${options.hotkey} on netuid ${options.netuid}. ` +
        'Every synapse route takes a JSON body and btauth/1 headers.',
    },
    paths,
    components: { schemas },
  };
}
