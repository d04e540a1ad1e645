/**
 * Errors in what the user asked for, found before any side effect: the run stops with exit code 2. Any other error
 * is a failure of the run (exit code 1).
 */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/**
 * A bad input. The message names the input, repeats the bad value and says what is allowed:
 * `Invalid cache "gh": expected one of auto, gha, registry, inline, local, none`.
 */
export class InputError extends UsageError {
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
