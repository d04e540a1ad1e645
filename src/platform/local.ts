/**
 * The local command (and, until its component arrives, any other place): plain lines on stderr, so that stdout holds
 * only results; outputs are collected and printed as one JSON object at the end.
 */
import type { Platform } from '../context/types.js';
import type { SecretMask } from '../exec/mask.js';
import type { Reporter } from './types.js';

export class LocalReporter implements Reporter {
  readonly outputs: Record<string, string> = {};
  private readonly state = new Map<string, string>();

  /** `platform`: which platform's context to read; `plan` uses this reporter on every platform. */
  constructor(
    private readonly mask: SecretMask,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
    readonly platform: Platform = 'local',
  ) {}

  info(line: string): void {
    this.write(`${this.mask.apply(line)}\n`);
  }

  warning(message: string): void {
    this.write(`warning: ${this.mask.apply(message)}\n`);
  }

  error(message: string): void {
    this.write(`error: ${this.mask.apply(message)}\n`);
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

  summary(): void {
    // The outputs printed at the end are the summary here.
  }

  saveState(name: string, value: string): void {
    this.state.set(name, value);
  }

  getState(name: string): string {
    return this.state.get(name) ?? '';
  }
}
