// A clock that moves only when a test says so: timers fire in order as it is advanced, none on their own.
import type { Clock } from '../../../src/pipeline/clock.js';

interface Timer {
  ms: number;
  next: number;
  tick: () => void;
}

export class FakeClock implements Clock {
  private time = 0;
  private readonly timers = new Set<Timer>();

  constructor(readonly progressMs = 30_000) {}

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { ms, next: this.time + ms, tick };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** how many timers are running */
  get running(): number {
    return this.timers.size;
  }

  /** Moves the time on by `ms`, firing each timer as often as its interval fits, in time order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.next <= target).sort((a, b) => a.next - b.next)[0];
      if (due === undefined) break;
      this.time = due.next;
      due.next += due.ms;
      due.tick();
    }
    this.time = target;
  }
}
