/** Logging in to the registries of the plan: `docker login --password-stdin` into the run's private Docker config. */
import type { RegistryLogin } from '../../inputs/login.js';
import { loginArgs } from '../../tools/buildx.js';
import { retrying, type StepContext } from '../step.js';

export async function login(step: StepContext, logins: readonly RegistryLogin[]): Promise<void> {
  for (const entry of logins) {
    await retrying(step, `logging in to ${entry.registry}`, () =>
      step.runner.run('docker', loginArgs(entry.registry, entry.username), {
        stdin: entry.password,
        env: step.docker.vars,
        quiet: true,
      }),
    );
    step.reporter.info(`logged in to ${entry.registry} as ${entry.username} (${entry.source})`);
  }
}
