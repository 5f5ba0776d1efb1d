/** How the CLI prints results: JSON (bigint-safe) or aligned text tables. */

/** JSON with bigint support. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** Prints rows as an aligned text table. */
export function printTable(headers: string[], rows: (string | number | boolean)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const [j, r] of cells.entries()) {
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
    if (j === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

/** Prints JSON or a key/value table. */
export function printResult(json: boolean | undefined, value: Record<string, unknown>): void {
  if (json) {
    console.log(toJson(value));
    return;
  }
  printTable(
    ['field', 'value'],
    Object.entries(value).map(([k, v]) => [k, typeof v === 'object' && v !== null ? toJson(v) : String(v)]),
  );
}
