import { Kind, type TObject, type TSchema } from '@sinclair/typebox';

/** True for a TypeBox object schema (has named properties). */
export function isObjectSchema(schema: TSchema | undefined): schema is TObject {
  return schema !== undefined && schema[Kind] === 'Object';
}

/** True for a plain `{}`-style object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema for a key path inside `schema`, or undefined when the path is not declared. */
export function schemaAt(schema: TSchema, path: readonly string[]): TSchema | undefined {
  let current: TSchema | undefined = schema;
  for (const key of path) {
    if (!isObjectSchema(current)) return undefined;
    current = Object.hasOwn(current.properties, key) ? current.properties[key] : undefined;
  }
  return current;
}

/** Every leaf (non-object) key path declared by an object schema, depth first. */
export function leafPaths(schema: TSchema, prefix: string[] = []): string[][] {
  if (!isObjectSchema(schema)) return [prefix];
  return Object.entries(schema.properties).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

/** Every declared key path (objects and leaves), dotted, for "did you mean" suggestions. */
export function allDottedPaths(schema: TSchema, prefix: string[] = []): string[] {
  if (!isObjectSchema(schema)) return [];
  return Object.entries(schema.properties).flatMap(([key, child]) => {
    const path = [...prefix, key];
    return [path.join('.'), ...allDottedPaths(child, path)];
  });
}

/** Whether an object schema accepts keys it does not declare (`additionalProperties: true` or a schema). */
export function allowsExtraKeys(schema: TObject): boolean {
  return schema.additionalProperties === true || isObjectLike(schema.additionalProperties);
}

function isObjectLike(x: unknown): boolean {
  return typeof x === 'object' && x !== null;
}
