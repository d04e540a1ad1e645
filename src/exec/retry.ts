/**
 * Registries fail for a moment: a 503 while one restarts, a reset connection behind a load balancer, a stall. Login,
 * push and tagging are retried with exponential backoff when the failure says it was transient; anything else (a
 * refused password, a missing repository, a failed Dockerfile step) fails at once.
 */
import { CommandError } from './runner.js';

/** What a transient registry failure looks like in docker's, buildx's and BuildKit's messages. */
const TRANSIENT =
  /\b(50[234]|429)\b|Service Unavailable|Bad Gateway|Gateway Time-?out|Too Many Requests|TOOMANYREQUESTS|connection reset|broken pipe|unexpected EOF|\bEOF\b|i\/o timeout|TLS handshake timeout|context deadline exceeded|connection refused|no such host|timeout awaiting response headers|server misbehaving/i;

export function isTransient(error: unknown): boolean {
  if (!(error instanceof CommandError)) return false;
  const text = `${error.stderrTail}\n${error.message}`;
  // A Dockerfile step that failed (its own download refused, say) is the build's failure, not the registry's.
  return TRANSIENT.test(text) && !text.includes('did not complete successfully');
}

export interface RetryOptions {
  /** tries in all, the first included */
  attempts: number;
  /** the wait before the second try; doubled before each next one */
  firstDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** told before each wait */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
  signal?: AbortSignal | undefined;
}

export const REGISTRY_RETRIES: RetryOptions = { attempts: 4, firstDelayMs: 1000 };

/** Runs `fn` until it succeeds, fails for good, or the attempts are spent (then the last error, saying how many). */
export async function withRetries<T>(what: string, fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delay = options.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (options.signal?.aborted === true || !isTransient(error)) throw error;
      if (attempt >= options.attempts) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`${what} failed ${attempt} times, the registry did not recover: ${reason}`, { cause: error });
      }
      options.onRetry?.(attempt, delay, error);
      await sleep(delay);
      delay *= 2;
    }
  }
}
