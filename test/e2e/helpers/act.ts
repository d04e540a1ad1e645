import { run, type RunResult } from './run.js';

/**
 * Runs a workflow of a repository with act on this host (`-self-hosted`: no job container), its cache and artifact
 * servers on loopback, and nothing fetched: `actions/checkout` of the repository under test copies the working tree.
 */
export function runAct(repo: string, workflow: string, extra: readonly string[] = []): Promise<RunResult> {
  return run(
    'act',
    [
      'push',
      `--workflows=${workflow}`,
      '--platform=ubuntu-latest=-self-hosted',
      '--cache-server-addr=127.0.0.1',
      '--artifact-server-addr=127.0.0.1',
      '--action-offline-mode',
      ...extra,
    ],
    { cwd: repo, timeoutMs: 600_000 },
  );
}
