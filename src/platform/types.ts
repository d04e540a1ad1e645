/**
 * How each CI platform shows a run and receives its results: log groups, warnings, outputs, a summary, and state kept
 * for a later step (GitHub's post step). The pipeline talks to this interface only.
 */
import type { Platform } from '../context/types.js';

/** Where a warning or error is about: GitHub shows it on that line of the file; the others print `file:line: `. */
export interface Location {
  file: string;
  line?: number;
}

export interface Reporter {
  readonly platform: Platform;
  info(line: string): void;
  /** A line shown only when the job runs in debug mode (GitHub's RUNNER_DEBUG, GitLab's CI_DEBUG_TRACE). */
  debug(line: string): void;
  warning(message: string, location?: Location): void;
  error(message: string, location?: Location): void;
  /** Runs `fn` inside a collapsible log section. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Tells the platform to mask a secret in everything it shows (GitHub's add-mask); our own mask applies anyway. */
  addMask(secret: string): void;
  setOutput(name: string, value: string): void;
  /** Markdown for the job summary, where the platform has one. */
  summary(markdown: string): Promise<void>;
  /** Keeps a value for the post step, where the platform has one. */
  saveState(name: string, value: string): void;
  getState(name: string): string;
}

/** `file:line: ` (or `file: `) before a message, for the platforms that have no annotations. */
export function locationPrefix(location: Location | undefined): string {
  if (location === undefined) return '';
  return location.line === undefined ? `${location.file}: ` : `${location.file}:${location.line}: `;
}

/**
 * Whether debug lines are shown: GitHub's `RUNNER_DEBUG=1` (re-run with debug logging), GitLab's `CI_DEBUG_TRACE`, and
 * on a laptop `DOCKER_BUILD_DEBUG`.
 */
export function debugEnabled(platform: Platform, env: Readonly<Record<string, string | undefined>>): boolean {
  switch (platform) {
    case 'github':
      return env.RUNNER_DEBUG === '1';
    case 'gitlab':
      return env.CI_DEBUG_TRACE === 'true';
    default:
      return env.DOCKER_BUILD_DEBUG === '1' || env.DOCKER_BUILD_DEBUG === 'true';
  }
}

/** A cache that outlives the job (GitHub's Actions cache). Its failures are warnings, never a failed run. */
export interface JobCache {
  readonly name: string;
  /** the key restored, or undefined when nothing matched */
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  save(paths: string[], key: string): Promise<void>;
}
