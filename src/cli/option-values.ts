/** Reading the values of command-line options: comma-separated lists and positive counts. */

import { InvalidOptionError } from '../errors.js';

/** "a, b,,c" -> ["a", "b", "c"]. */
export function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

/** A positive whole number, or an InvalidOptionError naming the option. */
export function positiveInteger(option: string, text: string): number {
  const n = Number(text);
  if (!/^[1-9]\d*$/.test(text) || !Number.isSafeInteger(n)) throw new InvalidOptionError(`${option} ${text}: give a positive whole number`);
  return n;
}
