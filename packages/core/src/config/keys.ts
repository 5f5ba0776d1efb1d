/** `maxWeightLimit` -> `MAX_WEIGHT_LIMIT`, `http2Port` -> `HTTP2_PORT` (env var spelling of a key). */
export function camelToUpperSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toUpperCase();
}

/** `max-weight-limit` or `max_weight_limit` -> `maxWeightLimit` (CLI flag spelling to schema key). */
export function toCamelCase(key: string): string {
  if (!/[-_]/.test(key)) return key;
  return key.toLowerCase().replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Env var name for a key path: `SUBNETKIT_` + `CHAIN__WS_URL` (nesting joined by a double underscore). */
export function envVarName(prefix: string, path: readonly string[]): string {
  return prefix + path.map(camelToUpperSnake).join('__');
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** The candidate closest to `key` (case-insensitive edit distance), or undefined when there are none. */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
