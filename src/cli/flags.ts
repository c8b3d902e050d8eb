import { InvalidArgumentError } from 'commander';

/** A commander parser for a positive integer flag, with a message naming the problem. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  }
  return n;
}

/** A commander parser for a non-negative integer flag (seeds). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`expected an integer from 0 to ${2 ** 31 - 1}, got '${value}'`);
  }
  return n;
}

/** A commander parser for a comma-separated list of names. */
export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected comma-separated names, got '${value}'`);
  return names;
}
