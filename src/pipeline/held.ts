/**
 * A step started ahead of its turn, its log held back: it overlaps slower steps (the Trivy check runs while the
 * builder starts), and its lines are shown in its own group when its turn comes, so logs never interleave.
 */
import type { Location, Reporter } from '../platform/types.js';
import type { StepContext } from './step.js';

interface Line {
  warning: boolean;
  text: string;
  location?: Location;
}

class HeldReporter implements Reporter {
  constructor(
    private readonly inner: Reporter,
    private readonly lines: Line[],
  ) {}
  get platform() {
    return this.inner.platform;
  }
  info(line: string) {
    this.lines.push({ warning: false, text: line });
  }
  debug(line: string) {
    // Debug lines are for reading the raw log, not the groups: they need not wait for the step's turn.
    this.inner.debug(line);
  }
  warning(message: string, location?: Location) {
    this.lines.push({ warning: true, text: message, ...(location === undefined ? {} : { location }) });
  }
  error(message: string, location?: Location) {
    this.inner.error(message, location);
  }
  group<T>(_title: string, fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  addMask(secret: string) {
    this.inner.addMask(secret);
  }
  setOutput(name: string, value: string) {
    this.inner.setOutput(name, value);
  }
  summary(markdown: string) {
    return this.inner.summary(markdown);
  }
  saveState(name: string, value: string) {
    this.inner.saveState(name, value);
  }
  getState(name: string) {
    return this.inner.getState(name);
  }
}

export interface HeldStep<T> {
  /** settles as the step does (never an unhandled rejection before `shown`) */
  readonly result: Promise<T>;
  /** waits for the step, shows its held lines in order, and settles as it did */
  shown(): Promise<T>;
  /** stops the step if it is still running (the run failed before its turn) */
  abandon(): void;
}

export function startHeld<T>(step: StepContext, fn: (held: StepContext) => Promise<T>): HeldStep<T> {
  const lines: Line[] = [];
  const abort = new AbortController();
  const reporter = new HeldReporter(step.reporter, lines);
  const runner = step.runner.withLog((text) => lines.push({ warning: false, text }), abort.signal);
  const signal = step.signal === undefined ? abort.signal : AbortSignal.any([step.signal, abort.signal]);
  const result = fn({ ...step, runner, reporter, signal });
  result.catch(() => undefined);
  return {
    result,
    async shown() {
      try {
        return await result;
      } finally {
        for (const line of lines.splice(0)) {
          if (line.warning) step.reporter.warning(line.text, line.location);
          else step.reporter.info(line.text);
        }
      }
    },
    abandon() {
      abort.abort();
    },
  };
}
