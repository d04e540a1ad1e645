import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from './run.js';

/**
 * Runs a workflow of a repository with act on this host (`-self-hosted`: no job container), its cache and artifact
 * servers on loopback, and nothing fetched: `actions/checkout` of the repository under test copies the working tree.
 * The artifact server is given a directory: only then does act hand jobs ACTIONS_RUNTIME_TOKEN, which GitHub's cache
 * service needs (as on a real runner). `cacheDir` keeps act's cache server's entries between runs.
 */
export async function runAct(
  repo: string,
  workflow: string,
  extra: readonly string[] = [],
  cacheDir?: string,
): Promise<RunResult> {
  const artifacts = mkdtempSync(join(tmpdir(), 'e2e-act-artifacts-'));
  try {
    return await run(
      'act',
      [
        'push',
        `--workflows=${workflow}`,
        '--platform=ubuntu-latest=-self-hosted',
        '--cache-server-addr=127.0.0.1',
        ...(cacheDir === undefined ? [] : [`--cache-server-path=${cacheDir}`]),
        '--artifact-server-addr=127.0.0.1',
        `--artifact-server-path=${artifacts}`,
        '--action-offline-mode',
        ...extra,
      ],
      { cwd: repo, timeoutMs: 600_000 },
    );
  } finally {
    rmSync(artifacts, { recursive: true, force: true });
  }
}
