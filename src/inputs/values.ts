/**
 * Parsers for input text: booleans, numbers, options, `key=value` entries (lists are read in list.ts). Each throws an
 * InputError.
 */
import { InputError } from '../errors.js';

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** YAML 1.2's core booleans, as GitHub's getBooleanInput accepts them. */
export function parseBoolean(input: string, text: string): boolean {
  const value = text.trim();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new InputError(input, text, 'expected true or false');
}

export function parseInteger(input: string, text: string, min: number, max: number): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(input, text, `expected a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function parseOption<T extends string>(input: string, text: string, options: readonly T[]): T {
  const value = text.trim();
  const match = options.find((option) => option === value);
  if (match === undefined) throw new InputError(input, text, `expected one of ${options.join(', ')}`);
  return match;
}

export interface KeyValue {
  key: string;
  value: string;
}

/**
 * `key=value` (the value may hold further `=`). `keyPattern` says what a key may be. The key is trimmed, the value
 * kept as it is: a secret's spaces and line breaks are part of it. For a secret input, pass `secret` so that a bad line
 * is never repeated in the error.
 */
export function parseKeyValue(input: string, line: string, keyPattern: RegExp, what: string, secret = false): KeyValue {
  const at = line.indexOf('=');
  const key = at < 0 ? '' : line.slice(0, at).trim();
  if (at < 0 || !keyPattern.test(key)) {
    throw new InputError(input, secret ? undefined : line, `expected ${what}${secret ? ' on every line' : ''}`);
  }
  return { key, value: line.slice(at + 1) };
}

/** Undefined for empty text, else the trimmed text. */
export function optional(text: string): string | undefined {
  const value = text.trim();
  return value === '' ? undefined : value;
}
