/** Response-schema checks for the dendrite, compiled once per synapse with TypeBox. */
import type { SubnetPlugin } from '@subnetkit/core';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { DendriteProtocol, QueryOptions } from './dendrite.js';

const cache = new WeakMap<object, TypeCheck<TSchema>>();

/** A validator for `synapse`'s response: undefined when valid, else a short reason. */
export function responseValidator(
  plugin: SubnetPlugin,
  synapse: string,
): (body: unknown) => string | undefined {
  const schema = plugin.synapses[synapse]?.response;
  if (!schema) return () => `synapse ${synapse} is not defined by subnet ${plugin.name}`;
  return checker(schema, `response does not match the ${synapse} schema`);
}

/** A compiled check of any TypeBox schema: undefined when valid, else `<what>: <path> <message>`. */
function checker(schema: TSchema, what: string): (value: unknown) => string | undefined {
  let check = cache.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  const compiled = check;
  return (value) => {
    if (compiled.Check(value)) return undefined;
    const first = compiled.Errors(value).First();
    return first ? `${what}: ${first.path || '/'} ${first.message}` : what;
  };
}

/**
 * Everything the dendrite needs to query `synapse` of `plugin`: its timeout, the response check, the
 * protocol, legacy v10 field lists, for a streaming synapse the chunk check and assembly, and for an
 * artifact synapse its definition with the expected hashes. The
 * protocol is the validator's `--protocol` when given, else the synapse's, else the plugin's, else
 * btauth/1.
 */
export function synapseQueryOptions(
  plugin: SubnetPlugin,
  synapse: string,
  defaults: { timeoutMs: number; protocol?: DendriteProtocol | undefined },
  /** For an artifact synapse: the challenge's expected artifact hash by hotkey. */
  artifacts?: Readonly<Record<string, string>>,
): QueryOptions {
  const def = plugin.synapses[synapse];
  const options: QueryOptions = {
    timeoutMs: def?.timeoutMs ?? defaults.timeoutMs,
    validate: responseValidator(plugin, synapse),
    protocol: defaults.protocol ?? def?.protocol ?? plugin.protocol ?? 'btauth',
  };
  if (!def) return options;
  options.legacy = {
    requiredHashFields: def.requiredHashFields ?? [],
    requiredFieldNames: def.request.required ?? [],
    responseFields: Object.keys(def.response.properties),
  };
  if (def.artifact) options.artifact = { definition: def.artifact, expected: artifacts ?? {} };
  const stream = def.stream;
  if (stream) {
    options.stream = {
      checkChunk: checker(stream.chunk, `stream chunk does not match the ${synapse} chunk schema`),
      assemble: (chunks) => stream.assemble(chunks),
      ...(stream.firstChunkTimeoutMs === undefined
        ? {}
        : { firstChunkTimeoutMs: stream.firstChunkTimeoutMs }),
      ...(stream.maxBytes === undefined ? {} : { maxBytes: stream.maxBytes }),
    };
  }
  return options;
}
