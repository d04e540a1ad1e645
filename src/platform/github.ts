/**
 * GitHub Actions: workflow commands on stdout (::group::, ::warning::, ::add-mask::) and the runner's files for
 * outputs, state and the job summary. https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { SecretMask } from '../exec/mask.js';
import type { Reporter } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Workflow command data: %, CR and LF escaped, as the runner reads them. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** `name<<DELIMITER\nvalue\nDELIMITER`: the file-command form that holds any value, newlines included. */
export function fileCommand(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
  while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

export class GithubReporter implements Reporter {
  readonly platform = 'github';

  constructor(
    private readonly env: Env,
    private readonly mask: SecretMask,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  info(line: string): void {
    this.write(`${this.mask.apply(line)}\n`);
  }

  warning(message: string): void {
    this.write(`::warning::${escapeData(this.mask.apply(message))}\n`);
  }

  error(message: string): void {
    this.write(`::error::${escapeData(this.mask.apply(message))}\n`);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.write(`::group::${escapeData(title)}\n`);
    try {
      return await fn();
    } finally {
      this.write('::endgroup::\n');
    }
  }

  addMask(secret: string): void {
    for (const line of secret.split(/\r?\n/)) {
      if (line.trim() !== '') this.write(`::add-mask::${escapeData(line)}\n`);
    }
  }

  private appendTo(variable: string, text: string): void {
    const file = this.env[variable];
    if (file === undefined || file === '') throw new Error(`${variable} is not set: is this a GitHub Actions step?`);
    appendFileSync(file, text);
  }

  setOutput(name: string, value: string): void {
    this.appendTo('GITHUB_OUTPUT', fileCommand(name, this.mask.apply(value)));
  }

  summary(markdown: string): void {
    this.appendTo('GITHUB_STEP_SUMMARY', `${this.mask.apply(markdown)}\n`);
  }

  saveState(name: string, value: string): void {
    this.appendTo('GITHUB_STATE', fileCommand(name, value));
  }

  getState(name: string): string {
    return this.env[`STATE_${name}`] ?? '';
  }
}
