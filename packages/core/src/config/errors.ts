/** One thing wrong with the resolved configuration. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `chain.url`. */
  key: string;
  /** The offending value (`undefined` when missing). */
  value: unknown;
  /** Human description of where the value came from, e.g. `env SUBNETKIT_NETUID` or `file ./config.json`. */
  source: string;
  /** Human description of what is accepted, e.g. `an integer >= 1`. */
  expected: string;
  /** The full line shown to the user. */
  message: string;
}

/**
 * Thrown by `loadConfig` when the configuration is invalid. `message` lists every problem, one per line,
 * as `<key>: got <value> (from <source>), expected <form>`; `problems` has the same data structured.
 */
export class ConfigError extends Error {
  /** Every problem found (never empty). */
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], header = 'Invalid configuration') {
    super(`${header}:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Renders a value for an error message: strings quoted, missing values as "nothing". */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
