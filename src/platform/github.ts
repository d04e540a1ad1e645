/**
 * GitHub Actions, through @actions/core: workflow commands on stdout (::group::, ::warning file=…,line=…::,
 * ::add-mask::, ::debug::) and the runner's files for outputs, state and the job summary. @actions/core reads
 * `process.env` (GITHUB_OUTPUT, GITHUB_STATE, STATE_*, GITHUB_STEP_SUMMARY, RUNNER_DEBUG, ACTIONS_ID_TOKEN_REQUEST_*)
 * and writes `process.stdout`: this adapter is the only place in docker-build that imports it. Our own SecretMask is
 * applied to every message, output and summary before @actions/core sees it; the runner's masking comes on top.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */
import * as core from '@actions/core';
import type { SecretMask } from '../exec/mask.js';
import type { Location, Reporter } from './types.js';

function annotation(location: Location | undefined): core.AnnotationProperties {
  if (location === undefined) return {};
  return location.line === undefined ? { file: location.file } : { file: location.file, startLine: location.line };
}

export class GithubReporter implements Reporter {
  readonly platform = 'github';

  constructor(private readonly mask: SecretMask) {}

  info(line: string): void {
    core.info(this.mask.apply(line));
  }

  debug(line: string): void {
    // The runner hides ::debug:: lines unless the run has debug logging on; not writing them at all keeps the raw log
    // (and act's output) short.
    if (core.isDebug()) core.debug(this.mask.apply(line));
  }

  warning(message: string, location?: Location): void {
    core.warning(this.mask.apply(message), annotation(location));
  }

  error(message: string, location?: Location): void {
    core.error(this.mask.apply(message), annotation(location));
  }

  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(this.mask.apply(title), fn);
  }

  addMask(secret: string): void {
    // The runner masks line by line: each line of a multi-line secret is registered on its own.
    for (const line of secret.split(/\r?\n/)) {
      if (line.trim() !== '') core.setSecret(line);
    }
  }

  setOutput(name: string, value: string): void {
    requireFile('GITHUB_OUTPUT');
    core.setOutput(name, this.mask.apply(value));
  }

  async summary(markdown: string): Promise<void> {
    requireFile('GITHUB_STEP_SUMMARY');
    await core.summary.addRaw(this.mask.apply(markdown), true).write();
  }

  saveState(name: string, value: string): void {
    requireFile('GITHUB_STATE');
    core.saveState(name, value);
  }

  getState(name: string): string {
    return core.getState(name);
  }

  /**
   * An OIDC token for `audience` from the runner's token service (the job needs `permissions: id-token: write`), for
   * keyless signing. The token is masked at once, by the runner and by our own mask.
   */
  async getIDToken(audience: string): Promise<string> {
    if ((process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '') === '') {
      throw new Error('no OIDC token can be had in this job: give it `permissions: id-token: write`');
    }
    this.mask.add(process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? '');
    try {
      const token = await core.getIDToken(audience);
      this.mask.add(token);
      return token;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`could not get an OIDC token for audience ${audience}: ${this.mask.apply(why)}`, {
        cause: error,
      });
    }
  }
}

/**
 * Without the runner's file, @actions/core would fall back to the deprecated stdout commands (::set-output::), which
 * the runner refuses: a missing file is an error that says what is wrong.
 */
function requireFile(variable: string): void {
  if ((process.env[variable] ?? '') === '') throw new Error(`${variable} is not set: is this a GitHub Actions step?`);
}
