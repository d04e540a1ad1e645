import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoFromFixture } from '../helpers/repo.js';
import { must, run } from '../helpers/run.js';

const GITLAB_CI_LOCAL = new URL('../../../node_modules/.bin/gitlab-ci-local', import.meta.url).pathname;
// gitlab-ci-local takes CI_SERVER_FQDN and CI_PROJECT_PATH from the origin remote, and resolves a component of that
// same project at $CI_COMMIT_SHA from the working tree.
const ORIGIN = 'https://gitlab.example.com/lab/smoke.git';

function gitlabCiLocal(repo: string, ...args: string[]) {
  return run(GITLAB_CI_LOCAL, ['--shell-executor-no-image', '--no-color', ...args], { cwd: repo, timeoutMs: 300_000 });
}

describe('gitlab-ci-local includes a local CI/CD component by $CI_COMMIT_SHA', () => {
  let repo = '';
  beforeAll(async () => {
    repo = await repoFromFixture('gitlab-component', ORIGIN);
  });
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('gives the job its typed inputs', async () => {
    const result = await gitlabCiLocal(repo);
    expect(result.stdout).toContain('inputs who=lab times=3 loud=true');
    expect(result.stdout).toMatch(/PASS\s+greet/);
    expect(result.code).toBe(0);
  });

  it('refuses an input of the wrong type before running anything', async () => {
    const ci = join(repo, '.gitlab-ci.yml');
    writeFileSync(ci, readFileSync(ci, 'utf8').replace('times: 3', 'times: three'));
    await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qam', 'bad'], {
      cwd: repo,
    });
    const result = await gitlabCiLocal(repo);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/times/);
    expect(result.stdout).not.toContain('inputs who=');
  });
});
