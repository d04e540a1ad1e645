/**
 * The contract every step and gate is written against: what a step gets (the runner, the reporter, the cleanup stack,
 * the Docker client's environment, the clock), how a registry operation is retried, and what a gate judges (one image
 * per platform, by digest). A leaf: every step imports it, it imports no step.
 */
import { REGISTRY_RETRIES, withRetries } from '../exec/retry.js';
import { CommandError, type Runner } from '../exec/runner.js';
import type { Plan } from '../plan/types.js';
import type { JobCache, Reporter } from '../platform/types.js';
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
  /** the driver of a builder this run created */
  driver?: 'docker-container' | 'kubernetes' | 'remote' | 'buildkitd';
}

/** One platform of the image, for the gates: its manifest digest and where Trivy reads it. */
export interface ScanTarget {
  platform: string;
  digest: string;
  source: ScanSource;
}

/** What the pipeline gets from the machine it runs on. */
export interface Host {
  /** the runner's tool cache, where there is one (GitHub): where a verified Trivy is kept */
  toolCache: string | undefined;
  /** a cache that outlives the job, for Trivy's database (GitHub's Actions cache), when there is one */
  jobCache: JobCache | undefined;
  /** Trivy's cache directory */
  trivyCacheDir: string;
  /** the job's keyless signing identity, for the verify command a keyless signature is checked with */
  signer?: { subject: string; issuer: string } | undefined;
  /**
   * This machine's platform when the Docker engine is this machine's too (no DOCKER_HOST, or a unix socket): a
   * builder created on it runs that platform natively, so building only it needs no look for QEMU.
   */
  enginePlatform?: string;
  now: () => Date;
}

/** A gate's verdict on the image, with what it found and wrote. */
export interface GateResult {
  result: 'passed' | 'failed' | 'skipped';
  /** why it failed, in one line for the log and the job's error; undefined unless failed */
  failure?: string | undefined;
  /** markdown for the job summary */
  summary: string;
  /** the verdict for the log, printed after the gate's (collapsible) group */
  text: string;
  /** report files, by kind: `sarif`, `gitlab`, `junit`, `codequality` */
  reports: Record<string, string>;
  /** values of the gate's outputs (the input table's OUTPUTS), by name */
  outputs: Record<string, string>;
}

/** What a gate judges: the image of every platform, and where its reports go. */
export interface GateRun {
  step: StepContext;
  plan: Plan;
  host: Host;
  /** the builder of the run */
  builder: string;
  /** one image per platform, by digest (pushed), or exported from the builder (not pushed) */
  targets: readonly ScanTarget[];
  /** names the image in the reports: the first repository, or `image` */
  imageName: string;
  reportDir: string;
}

/** Work a gate starts ahead of its turn (a download while the image builds), and what it does after the tags. */
export interface Started<S> {
  /** settles with what the gate's judge needs, showing its held log, in a group of this title when there is one */
  state: { title?: string | undefined; wait: () => Promise<S> };
  /** a step that must pass before anything is built (a missing Trivy fails here, not after the push) */
  prerequisite?: { title: string; wait: () => Promise<void> };
  /** a step after the gates and the tags (the database saved for the next jobs), when there is one to do */
  after?: () => { title: string; run: () => Promise<void> } | undefined;
  /** stops what is still running: the run failed before the gate's turn */
  abandon: () => Promise<void>;
}

/**
 * One gate of the run: the pipeline runs the gates of GATES in order, the `before-build` ones after the builder is up
 * and before anything is built, the `after-push` ones on the pushed digest of every platform (or, for a build that is
 * not pushed, on each platform exported from the builder); any failed gate leaves no tag. A new gate is one file,
 * one entry in GATES, and its inputs and outputs in the input table.
 */
export interface Gate<S = unknown> {
  /** the gate's name: its outputs' prefix (`scan-result`) */
  readonly name: string;
  /** the log group and the job summary's step name */
  readonly title: string;
  readonly stage: 'before-build' | 'after-push';
  /** whether the plan runs it */
  applies(plan: Plan): boolean;
  /** work started after the logins, while the builder starts and the image builds */
  start?(step: StepContext, plan: Plan, host: Host): Started<S>;
  judge(run: GateRun, state: S | undefined): Promise<GateResult>;
}
