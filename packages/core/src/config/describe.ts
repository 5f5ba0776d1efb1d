import { Kind, type TSchema } from '@sinclair/typebox';

/**
 * Human description of what a TypeBox schema accepts, for error messages: "an integer >= 1",
 * "one of instant|<ms>", "true or false". A schema can override it with an `expected` option
 * (e.g. `Type.String({ pattern: '^wss?://', expected: 'a ws:// or wss:// URL' })`); a `title` names a
 * placeholder inside unions (`Type.Integer({ title: 'ms' })` shows as `<ms>`).
 */
export function describeSchema(schema: TSchema): string {
  if (typeof schema.expected === 'string') return schema.expected;
  switch (schema[Kind]) {
    case 'Union':
      return `one of ${(schema.anyOf as TSchema[]).map(describeAlternative).join('|')}`;
    case 'Literal':
      return JSON.stringify(schema.const);
    case 'Integer':
      return `an integer${bounds(schema)}`;
    case 'Number':
      return `a number${bounds(schema)}`;
    case 'Boolean':
      return 'true or false';
    case 'String':
      return describeString(schema);
    case 'Array':
      return `a list of ${plural(describeSchema(schema.items as TSchema))}`;
    case 'Object':
    case 'Record':
      return 'an object';
    case 'Null':
      return 'null';
    default:
      return schema.title ? `<${schema.title}>` : 'a valid value';
  }
}

function describeAlternative(schema: TSchema): string {
  if (typeof schema.expected === 'string') return schema.expected;
  if (schema[Kind] === 'Literal') return String(schema.const);
  if (schema.title) return `<${schema.title}>`;
  return describeSchema(schema);
}

function bounds(schema: TSchema): string {
  const lo = schema.minimum ?? schema.exclusiveMinimum;
  const hi = schema.maximum ?? schema.exclusiveMaximum;
  const loOp = schema.minimum !== undefined ? '>=' : '>';
  const hiOp = schema.maximum !== undefined ? '<=' : '<';
  if (lo !== undefined && hi !== undefined) {
    if (schema.minimum !== undefined && schema.maximum !== undefined) return ` between ${lo} and ${hi}`;
    return ` ${loOp} ${lo} and ${hiOp} ${hi}`;
  }
  if (lo !== undefined) return ` ${loOp} ${lo}`;
  if (hi !== undefined) return ` ${hiOp} ${hi}`;
  return '';
}

function describeString(schema: TSchema): string {
  if (schema.format) return `a ${schema.format} string`;
  if (schema.pattern) return `a string matching /${schema.pattern}/`;
  if (schema.minLength === 1) return 'a non-empty string';
  if (schema.minLength !== undefined) return `a string of at least ${schema.minLength} characters`;
  return 'a string';
}

function plural(form: string): string {
  return form.replace(/^an? /, '').replace(/^(integer|number|string)/, '$1s');
}
