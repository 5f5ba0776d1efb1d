/**
 * OpenAPI 3.1 description of an axon, generated from the plugin's TypeBox schemas, so validators
 * written in other languages can generate clients for `POST /<SynapseName>`.
 */
import type { AnySubnetPlugin } from './axon.js';

/** Error kinds the axon can answer with, by HTTP status. */
export const ERROR_STATUS_DOC: Record<number, string> = {
  400: 'InvalidRequest: the body is not JSON or does not match the request schema (the message names the field)',
  401: 'btauth/1 verification failed: MalformedAuth, WrongReceiver, StaleRequest, BadSignature or ReplayedRequest',
  403: 'Forbidden: the verified hotkey is not registered, lacks a validator permit, or is denied',
  404: 'UnknownSynapse',
  408: 'Timeout: the answer took longer than the synapse timeout',
  413: 'PayloadTooLarge: the body is over the miner body limit',
  500: 'InternalError: the subnet handler failed (the miner logs the cause)',
  503: 'Overloaded: the miner is saturated and this caller had the lowest stake priority (or it is shutting down)',
};

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
  const schemas: Record<string, unknown> = {
    Error: {
      type: 'object',
      required: ['error', 'message'],
      properties: {
        error: { type: 'string', description: 'Machine-readable kind, e.g. BadSignature' },
        message: { type: 'string', description: 'What went wrong and how to fix it' },
        field: { type: 'string', description: 'JSON pointer of the offending field (400 only)' },
      },
    },
  };
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
    const errorResponses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(ERROR_STATUS_DOC)) {
      errorResponses[status] = {
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
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
          ...errorResponses,
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
