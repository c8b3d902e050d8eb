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

/** A commander parser for a TCP port: 0 (any free port) to 65535. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65_535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got '${value}'`);
  return n;
}

/** A commander parser for a comma-separated list of names. */
export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected comma-separated names, got '${value}'`);
  return names;
}

/** A commander parser for a positive number flag (learning rates). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

/** A commander parser for a number >= 0 (weight decay). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number >= 0, got '${value}'`);
  return n;
}

/** A commander parser for a number in [0, 1) (momentum). */
export function unitInterval(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`expected a number from 0 up to (not including) 1, got '${value}'`);
  return n;
}

/** A commander parser for an accuracy in (0, 1] (epochs-to-target). */
export function accuracyFlag(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new InvalidArgumentError(`expected an accuracy in (0, 1], got '${value}'`);
  return n;
}

/** A commander parser for a comma-separated list of positive integers (layer widths, epochs). */
export function positiveIntList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0 || !Number.isSafeInteger(Number(p)))) {
    throw new InvalidArgumentError(`expected comma-separated positive integers, got '${value}'`);
  }
  return parts.map(Number);
}

/** A commander parser for `--data NAME=PATH`, repeatable, into one object (`lisht run`, `lisht report`). */
export function dataFlag(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) throw new InvalidArgumentError(`expected NAME=PATH (e.g. iris=data/iris.csv), got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}
