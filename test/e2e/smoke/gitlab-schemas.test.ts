// Every GitLab pipeline this project ships, through gitlab-ci-local's schema validation and the component's typed
// inputs: the project's own .gitlab-ci.yml and the examples in .gitlab/examples/, each including the components
// (docker-build, promote, merge) from the working tree (the examples pin a release, `@1` or `@1.2.3`, which the test
// replaces by the commit under test).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { must, run } from '../helpers/run.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const GITLAB_CI_LOCAL = join(ROOT, 'node_modules/.bin/gitlab-ci-local');
const PIPELINES = [
  '.gitlab-ci.yml',
  ...readdirSync(join(ROOT, '.gitlab/examples')).map((f) => `.gitlab/examples/${f}`),
];

describe("gitlab-ci-local's schema validation", () => {
  it.each(PIPELINES)('%s', async (pipeline) => {
    const repo = mkdtempSync(join(tmpdir(), 'e2e-gitlab-schema-'));
    try {
      cpSync(join(ROOT, 'templates'), join(repo, 'templates'), { recursive: true });
      const text = readFileSync(join(ROOT, pipeline), 'utf8').replace(
        /\/(docker-build|promote|merge)@(?:~latest|\d+(?:\.\d+){0,2})(?![\w.])/g,
        '/$1@$CI_COMMIT_SHA',
      );
      writeFileSync(
        join(repo, '.gitlab-ci.yml'),
        text.replaceAll('$CI_SERVER_FQDN/docker-build/docker-build/', '$CI_SERVER_FQDN/$CI_PROJECT_PATH/'),
      );
      await must('git', ['init', '-q', '-b', 'main'], { cwd: repo });
      await must('git', ['remote', 'add', 'origin', 'https://gitlab.example.com/docker-build/docker-build.git'], {
        cwd: repo,
      });
      await must('git', ['add', '--all'], { cwd: repo });
      await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'x'], {
        cwd: repo,
      });
      const result = await run(GITLAB_CI_LOCAL, ['--list', '--no-color'], { cwd: repo, timeoutMs: 120_000 });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout + result.stderr).toContain('json schema validated');
      expect(result.stdout).toMatch(/docker-build|example-image/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
