// Parsing of a command's option values (parseArgs strings) into checked values: required strings, numbers, integers
// in a range and one-of choices. A bad value is a ConfigError naming the option, what is valid and what was given
// (exit 2). Every command parses its options here.
import { ConfigError } from '../errors.js';

/** A required string option (ConfigError when missing or empty). */
export function requiredString(values: Record<string, unknown>, name: string, where: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new ConfigError(`--${name} is required`, where);
  return v;
}

/** A numeric option, or undefined when absent (ConfigError when `check` fails; `valid` says what is valid). */
export function numberOption(values: Record<string, unknown>, name: string, where: string, check: (x: number) => boolean, valid: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !check(x)) throw new ConfigError(`--${name} must be ${valid}, got "${String(v)}"`, where);
  return x;
}

/** An integer option of at least `min` (and at most `max` when given), or undefined when absent. */
export function intOption(values: Record<string, unknown>, name: string, where: string, min: number, max?: number): number | undefined {
  const valid = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return numberOption(values, name, where, (x) => Number.isInteger(x) && x >= min && (max === undefined || x <= max), valid);
}

/** One of `valid`, or `dflt` when absent. */
export function enumOption<T extends string>(values: Record<string, unknown>, name: string, where: string, valid: readonly T[], dflt: T): T {
  const v = values[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !valid.includes(v as T)) throw new ConfigError(`--${name} must be one of ${valid.join(', ')}, got "${String(v)}"`, where);
  return v as T;
}
