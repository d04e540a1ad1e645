import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabEnv } from './lab-env.js';
import { run, type RunResult } from './run.js';

/**
 * act's argument list for a workflow of a repository, run on this host (`-self-hosted`: no job container), its cache
 * and artifact servers on loopback, and nothing fetched: `actions/checkout` of the repository under test copies the
 * working tree. The artifact server is given a directory: only then does act hand jobs ACTIONS_RUNTIME_TOKEN, which
 * GitHub's cache service needs (as on a real runner). `cacheDir` keeps act's cache server's entries between runs.
 */
export function actArgs(workflow: string, extra: readonly string[], artifacts: string, cacheDir?: string): string[] {
  return [
    'push',
    `--workflows=${workflow}`,
    '--platform=ubuntu-latest=-self-hosted',
    '--cache-server-addr=127.0.0.1',
    ...(cacheDir === undefined ? [] : [`--cache-server-path=${cacheDir}`]),
    '--artifact-server-addr=127.0.0.1',
    `--artifact-server-path=${artifacts}`,
    '--action-offline-mode',
    ...extra,
  ];
}

/**
 * The variables the lab's workflows read (fixtures act-pipeline and act-cache), and GitHub's API pointed at an address
 * that refuses at once: it is out of reach here, so the fallback is taken quickly.
 */
export function labActVars(lab: LabEnv, image: string): string[] {
  return [
    '--env=GITHUB_API_URL=http://127.0.0.1:9',
    `--var=IMAGE=${image}`,
    `--var=REGISTRY=${lab.registry}`,
    `--var=REGISTRY_USER=${lab.registryUser}`,
    `--var=BUILDKIT_IMAGE=${lab.buildkitImage}`,
    `--var=BASE_IMAGE=${lab.baseImage}`,
    `--var=TRIVY_DB=${lab.trivyDbRepository}`,
  ];
}

/**
 * Runs a workflow with act (see actArgs). `env` adds to act's environment: where `--secret=NAME` (no value) reads a
 * secret from, so that a password is neither on the command line nor in a file.
 */
export async function runAct(
  repo: string,
  workflow: string,
  extra: readonly string[] = [],
  cacheDir?: string,
  env: Readonly<Record<string, string>> = {},
): Promise<RunResult> {
  const artifacts = mkdtempSync(join(tmpdir(), 'e2e-act-artifacts-'));
  try {
    return await run('act', actArgs(workflow, extra, artifacts, cacheDir), {
      cwd: repo,
      timeoutMs: 600_000,
      env: { ...process.env, ...env },
    });
  } finally {
    rmSync(artifacts, { recursive: true, force: true });
  }
}
