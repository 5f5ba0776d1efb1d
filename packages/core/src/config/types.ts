import { type StringOptions, type TString, Type } from '@sinclair/typebox';

/**
 * A URL string restricted to the given protocols, with a readable error form:
 * `UrlString(['ws', 'wss'])` rejects `http://x` with "expected a ws:// or wss:// URL".
 */
export function UrlString(protocols: readonly string[], options: StringOptions = {}): TString {
  const names = protocols.map((p) => `${p}://`);
  const expected = `a ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]} URL`;
  return Type.String({ pattern: `^(${protocols.join('|')})://[^\\s/?#]+\\S*$`, expected, ...options });
}
