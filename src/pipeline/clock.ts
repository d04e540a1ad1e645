/**
 * The time a step reads for its durations, and the timer of its "still running" lines: the system's by default, a
 * fake one in unit tests, which advance it themselves (no real waits).
 */
export interface Clock {
  /** milliseconds, monotonic */
  now(): number;
  /** calls `tick` every `ms` until the returned function is called */
  every(ms: number, tick: () => void): () => void;
  /** how often a long-running step says that it is still running, and what it is doing */
  readonly progressMs: number;
}

/**
 * The promise is a line at least every 30 s; a timer fires late on a loaded runner (two cores shared with BuildKit),
 * so it is set a little shorter.
 */
export const PROGRESS_MS = 25_000;

export const systemClock: Clock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // A forgotten timer must never keep the process alive.
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  },
  progressMs: PROGRESS_MS,
};
