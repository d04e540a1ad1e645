/**
 * How each CI platform shows a run and receives its results: log groups, warnings, outputs, a summary, and state kept
 * for a later step (GitHub's post step). The pipeline talks to this interface only.
 */
import type { Platform } from '../context/types.js';

export interface Reporter {
  readonly platform: Platform;
  info(line: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Runs `fn` inside a collapsible log section. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Tells the platform to mask a secret in everything it shows (GitHub's add-mask); our own mask applies anyway. */
  addMask(secret: string): void;
  setOutput(name: string, value: string): void;
  /** Markdown for the job summary, where the platform has one. */
  summary(markdown: string): void;
  /** Keeps a value for the post step, where the platform has one. */
  saveState(name: string, value: string): void;
  getState(name: string): string;
}
