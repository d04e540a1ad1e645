/**
 * The local command (and `plan` on any platform): plain lines on stderr, so that stdout holds
 * only results; outputs are collected and printed as one JSON object at the end.
 */
import type { Platform } from '../context/types.js';
import type { SecretMask } from '../exec/mask.js';
import { locationPrefix, type Location, type Reporter } from './types.js';

export class LocalReporter implements Reporter {
  readonly outputs: Record<string, string> = {};
  private readonly state = new Map<string, string>();

  /**
   * `platform`: which platform's context to read; `plan` uses this reporter on every platform. `debugging`: whether
   * debug lines are shown (see `debugEnabled`).
   */
  constructor(
    private readonly mask: SecretMask,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
    readonly platform: Platform = 'local',
    private readonly debugging = false,
  ) {}

  info(line: string): void {
    this.write(`${this.mask.apply(line)}\n`);
  }

  debug(line: string): void {
    if (this.debugging) this.write(`debug: ${this.mask.apply(line)}\n`);
  }

  warning(message: string, location?: Location): void {
    this.write(`${locationPrefix(location)}warning: ${this.mask.apply(message)}\n`);
  }

  error(message: string, location?: Location): void {
    this.write(`${locationPrefix(location)}error: ${this.mask.apply(message)}\n`);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.write(`==> ${title}\n`);
    return fn();
  }

  addMask(): void {
    // Our own mask covers every line this reporter writes.
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = this.mask.apply(value);
  }

  summary(): Promise<void> {
    // The outputs printed at the end are the summary here.
    return Promise.resolve();
  }

  saveState(name: string, value: string): void {
    this.state.set(name, value);
  }

  getState(name: string): string {
    return this.state.get(name) ?? '';
  }
}
