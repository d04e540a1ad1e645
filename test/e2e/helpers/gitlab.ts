import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabEnv } from './lab-env.js';
import { run, type RunResult } from './run.js';

const GITLAB_CI_LOCAL = new URL('../../../node_modules/.bin/gitlab-ci-local', import.meta.url).pathname;

/** What the lab's pipeline (fixture gitlab-pipeline) reads, the lab registry standing in for the job's $CI_REGISTRY. */
export function labGitlabVariables(lab: LabEnv, image: string): Record<string, string> {
  return {
    // gitlab-ci-local sets GITLAB_CI=false so that scripts can tell; a real GitLab job has true.
    GITLAB_CI: 'true',
    CI_REGISTRY: lab.registry,
    CI_REGISTRY_IMAGE: image,
    CI_REGISTRY_USER: lab.registryUser,
    CI_REGISTRY_PASSWORD: lab.registryPassword,
    LAB_BUILDKIT_IMAGE: lab.buildkitImage,
    LAB_BASE_IMAGE: lab.baseImage,
    LAB_TRIVY_DB_REPOSITORY: lab.trivyDbRepository,
  };
}

/**
 * Runs the repository's pipeline with gitlab-ci-local (shell executor), with `extra` arguments (`--shell-isolation`:
 * each job in a directory of its own, only artifacts passed on). The variables go in a file, as gitlab-ci-local reads
 * them, removed after: the password never on a command line.
 */
export async function runGitlabCiLocal(
  repo: string,
  variables: Record<string, string>,
  extra: readonly string[] = [],
): Promise<RunResult> {
  const file = join(repo, '.gitlab-ci-local-variables.yml');
  const yaml = Object.entries(variables).map(([name, value]) => `${name}: ${JSON.stringify(value)}\n`);
  writeFileSync(file, yaml.join(''), { mode: 0o600 });
  try {
    return await run(GITLAB_CI_LOCAL, ['--force-shell-executor', '--no-color', ...extra], {
      cwd: repo,
      timeoutMs: 600_000,
    });
  } finally {
    rmSync(file, { force: true });
  }
}
