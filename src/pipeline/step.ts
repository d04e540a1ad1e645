/**
 * The contract every step and gate is written against: what a step gets (the runner, the reporter, the cleanup stack,
 * the Docker client's environment, the clock), how a registry operation is retried, and what a gate judges (one image
 * per platform, by digest). A leaf: every step imports it, it imports no step.
 */
import { REGISTRY_RETRIES, withRetries } from '../exec/retry.js';
import { CommandError, type Runner } from '../exec/runner.js';
import type { Reporter } from '../platform/types.js';
import type { ScanSource } from '../scan/trivy-args.js';
import type { CleanupStack } from './cleanup.js';
import type { Clock } from './clock.js';
import type { DockerEnv } from './docker-env.js';

export interface StepContext {
  runner: Runner;
  reporter: Reporter;
  cleanup: CleanupStack;
  docker: DockerEnv;
  cwd: string;
  /** the job's cancellation: nothing is retried after it */
  signal?: AbortSignal | undefined;
  /** durations and "still running" lines; the system's clock when not given */
  clock?: Clock | undefined;
}

/** A registry operation, retried with backoff when the registry fails for a moment (503, reset, stall). */
export function retrying<T>(step: StepContext, what: string, fn: () => Promise<T>): Promise<T> {
  return withRetries(what, fn, {
    ...REGISTRY_RETRIES,
    signal: step.signal,
    onRetry: (attempt, delayMs, error) => {
      const reason = error instanceof CommandError ? (error.stderrTail.split('\n').at(-1) ?? '') : String(error);
      step.reporter.warning(
        `${what}: attempt ${attempt} of ${REGISTRY_RETRIES.attempts} failed (${reason.trim()}); retrying in ${delayMs / 1000}s`,
      );
    },
  });
}

export interface Builder {
  name: string;
  /** created by this run (on the engine the Docker client talks to), not an existing one */
  created: boolean;
  /** the platforms it runs, when setting it up inspected it (an existing builder): QEMU's check needs no second look */
  platforms?: string[];
}

/** One platform of the image, for the gates: its manifest digest and where Trivy reads it. */
export interface ScanTarget {
  platform: string;
  digest: string;
  source: ScanSource;
}
