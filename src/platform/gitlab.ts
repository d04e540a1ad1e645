/**
 * A GitLab CI/CD job: collapsible log sections, and the outputs as a dotenv report (`artifacts: reports: dotenv:`)
 * that later jobs read as variables: DOCKER_BUILD_DIGEST, DOCKER_BUILD_IMAGE, DOCKER_BUILD_TAGS, ... The cleanup stack
 * is kept in a file, so that the component's `after_script` undoes what a killed or failed script left behind.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretMask } from '../exec/mask.js';
import { locationPrefix, type Location, type Reporter } from './types.js';
import { DOTENV_OUTPUTS, dotenvName } from '../inputs/table.js';

/**
 * The dotenv report: one `NAME=value` line per output. GitLab's dotenv takes one line per variable, so a list (the
 * tags) is joined with commas; values are left unquoted, as GitLab reads them literally.
 */
export function dotenvReport(outputs: Readonly<Record<string, string>>): string {
  return Object.entries(outputs)
    .filter(([name]) => DOTENV_OUTPUTS.includes(name))
    .map(([name, value]) => `${dotenvName(name)}=${value.split('\n').filter(Boolean).join(',')}`)
    .join('\n')
    .concat('\n');
}

/**
 * `section_start:1700000000:docker_build_scan_gate[collapsed=true]\r\e[0K` + title, as GitLab's log renders it; the
 * id is the title's, so that a section is recognisable in the raw log too.
 */
export function sectionLines(title: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
  const id = `docker_build_${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
  return {
    start: `\u001b[0Ksection_start:${now()}:${id}[collapsed=true]\r\u001b[0K${title}`,
    end: () => `\u001b[0Ksection_end:${now()}:${id}\r\u001b[0K`,
  };
}

export class GitlabReporter implements Reporter {
  readonly platform = 'gitlab' as const;
  readonly outputs: Record<string, string> = {};
  private readonly state = new Map<string, string>();

  constructor(
    private readonly mask: SecretMask,
    /** where the dotenv report goes; undefined: nowhere (`plan`) */
    private readonly dotenvFile: string | undefined,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
    /** the job runs with CI_DEBUG_TRACE: debug lines are shown */
    private readonly debugging = false,
  ) {}

  info(line: string): void {
    this.write(`${this.mask.apply(line)}\n`);
  }

  debug(line: string): void {
    if (this.debugging) this.write(`debug: ${this.mask.apply(line)}\n`);
  }

  warning(message: string, location?: Location): void {
    // Yellow, as GitLab's own runner warnings are.
    this.write(`\u001b[33m${locationPrefix(location)}warning: ${this.mask.apply(message)}\u001b[0m\n`);
  }

  error(message: string, location?: Location): void {
    this.write(`\u001b[31m${locationPrefix(location)}error: ${this.mask.apply(message)}\u001b[0m\n`);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const section = sectionLines(title);
    this.write(`${section.start}\n`);
    try {
      return await fn();
    } finally {
      this.write(`${section.end()}\n`);
    }
  }

  addMask(): void {
    // GitLab masks the CI/CD variables it marks masked; our own mask covers every line this reporter writes.
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = this.mask.apply(value);
    if (this.dotenvFile !== undefined) writeFileSync(this.dotenvFile, dotenvReport(this.outputs), { mode: 0o644 });
  }

  summary(): Promise<void> {
    // GitLab has no job summary: the scan table is in the log, the reports are artifacts.
    return Promise.resolve();
  }

  saveState(name: string, value: string): void {
    this.state.set(name, value);
  }

  getState(name: string): string {
    return this.state.get(name) ?? '';
  }
}

export { DOTENV_OUTPUTS, dotenvName };

/** The dotenv report of a GitLab job, in the project directory (the component's `artifacts: reports: dotenv`). */
export const DOTENV_FILE = 'docker-build.env';

/** Where a GitLab job keeps its cleanup stack between `script` and `after_script` (paths only, no secrets). */
export function cleanupStateFile(env: Readonly<Record<string, string | undefined>>): string {
  return join(tmpdir(), `docker-build-cleanup-${env.CI_JOB_ID ?? 'local'}.json`);
}

/**
 * The Docker client's variables as the component sets them for Docker-in-Docker with TLS: with DOCKER_HOST empty (a
 * shell runner's own engine) or a unix socket, the TLS variables would point the client at certificates that do not
 * exist, so they go.
 */
export function dockerClientEnv(env: NodeJS.ProcessEnv): void {
  const host = env.DOCKER_HOST ?? '';
  if (host === '') delete env.DOCKER_HOST;
  if (!host.startsWith('tcp://')) {
    delete env.DOCKER_TLS_VERIFY;
    delete env.DOCKER_CERT_PATH;
  }
}
