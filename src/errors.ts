/**
 * A bad input, found before any side effect. The message names the input, repeats the bad value and says what is
 * allowed: `Invalid cache "gh": expected one of auto, gha, registry, inline, local, none`.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  /** `value` is undefined for a secret input: its text is never repeated. */
  constructor(
    readonly input: string,
    readonly value: string | undefined,
    readonly expected: string,
  ) {
    super(`Invalid ${input}${value === undefined ? '' : ` ${JSON.stringify(value)}`}: ${expected}`);
  }
}
