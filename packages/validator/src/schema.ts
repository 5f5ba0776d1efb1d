/** Response-schema checks for the dendrite, compiled once per synapse with TypeBox. */
import type { SubnetPlugin } from '@subnetkit/core';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject } from '@sinclair/typebox';

const cache = new WeakMap<object, TypeCheck<TObject>>();

/** A validator for `synapse`'s response: undefined when valid, else a short reason. */
export function responseValidator(
  plugin: SubnetPlugin,
  synapse: string,
): (body: unknown) => string | undefined {
  const schema = plugin.synapses[synapse]?.response;
  if (!schema) return () => `synapse ${synapse} is not defined by subnet ${plugin.name}`;
  let check = cache.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  const compiled = check;
  return (body) => {
    if (compiled.Check(body)) return undefined;
    const first = compiled.Errors(body).First();
    return first
      ? `response does not match the ${synapse} schema: ${first.path || '/'} ${first.message}`
      : `response does not match the ${synapse} schema`;
  };
}
