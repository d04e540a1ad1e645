import { describe, expect, it } from 'vitest';
import { gitlabContext } from '../../../src/context/gitlab.js';
import type { CiContext } from '../../../src/context/types.js';
import type { RegistryLogin } from '../../../src/inputs/login.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../src/inputs/read.js';
import { automaticCandidates } from '../../../src/plan/automatic-login.js';
import { makePlan, repositoryOf } from '../../../src/plan/plan.js';
import { decidePush } from '../../../src/plan/push.js';
import { registryOf } from '../../../src/plan/registries.js';
import { readEnvFile } from '../helpers/env-file.js';

const NOW = new Date('2026-11-22T08:00:00Z');
const TOGGLES = { shortShaLength: undefined, prHeadSha: false, annotationLevels: undefined };

function inputs(given: Record<string, string>) {
  return parseInputs(
    rawInputs(Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]))),
  );
}

function plan(ctx: CiContext, given: Record<string, string>, automatic: RegistryLogin[] = []) {
  const parsed = inputs(given);
  return makePlan({
    ctx,
    inputs: parsed,
    logins: parsed.logins,
    automatic,
    toggles: TOGGLES,
    now: NOW,
    builderName: 'b',
    hostPlatform: 'linux/amd64',
    ghaAvailable: false,
  });
}

const gitlab = (fixture: string) => gitlabContext(readEnvFile(`gitlab/${fixture}.env`), NOW);
const gitlabEnv = (fixture: string) => ({
  ...readEnvFile(`gitlab/${fixture}.env`),
  CI_REGISTRY_USER: 'gitlab-ci-token',
  CI_REGISTRY_PASSWORD: 'job-token',
});

describe('the plan', () => {
  it('a GitLab branch pipeline on the default branch pushes by digest with the job’s registry credentials', () => {
    const env = gitlabEnv('branch-main');
    const result = plan(
      gitlab('branch-main'),
      {
        images: 'registry.gitlab.example.com/group/app',
        tags: 'type=ref,event=branch\ntype=sha',
        platforms: 'linux/amd64,linux/arm64',
      },
      automaticCandidates('gitlab', env, undefined),
    );
    expect(result.tags).toEqual([
      'registry.gitlab.example.com/group/app:main',
      'registry.gitlab.example.com/group/app:sha-01234567',
    ]);
    expect(result.push).toEqual({ push: true, reason: 'push is auto and there are credentials for every registry' });
    expect(result.logins).toEqual([{ registry: 'registry.gitlab.example.com', source: 'automatic' }]);
    expect(result.build.output).toEqual({
      kind: 'push-by-digest',
      repositories: ['registry.gitlab.example.com/group/app'],
    });
    expect(result.annotations.some((a) => a.startsWith('index:'))).toBe(true);
    expect(result.version).toBe('main');
  });

  it("logs in to the group's dependency proxy too, for base images pulled through it", () => {
    const env = {
      ...gitlabEnv('branch-main'),
      CI_DEPENDENCY_PROXY_SERVER: 'gitlab.example.com:443',
      CI_DEPENDENCY_PROXY_USER: 'gitlab-ci-token',
      CI_DEPENDENCY_PROXY_PASSWORD: 'proxy-token',
    };
    const result = plan(
      gitlab('branch-main'),
      { images: 'registry.gitlab.example.com/group/app' },
      automaticCandidates('gitlab', env, undefined),
    );
    expect(result.logins).toEqual([
      { registry: 'registry.gitlab.example.com', source: 'automatic' },
      { registry: 'gitlab.example.com', source: 'dependency-proxy' },
    ]);
    expect(result.push.push).toBe(true);
  });

  it('a merge request gets mr-<iid>', () => {
    expect(plan(gitlab('merge-request'), { images: 'r.example.com/app' }).tags).toEqual(['r.example.com/app:mr-42']);
  });

  it('a tag pipeline gets the semver tags', () => {
    const result = plan(gitlab('tag-v1.2.3'), {
      images: 'r.example.com/app',
      tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}',
    });
    expect(result.tags).toEqual(['r.example.com/app:1.2.3', 'r.example.com/app:1.2', 'r.example.com/app:latest']);
    expect(result.version).toBe('1.2.3');
  });

  it('does not push without credentials, and says why', () => {
    const result = plan(gitlab('branch-main'), { images: 'ghcr.io/o/app' });
    expect(result.push).toEqual({ push: false, reason: 'push is auto and there are no credentials for ghcr.io' });
    expect(result.build.output).toEqual({ kind: 'none' });
  });

  it('does not push when no rule gives a tag for the event', () => {
    const result = plan(gitlab('branch-main'), {
      images: 'r.example.com/app',
      tags: 'type=semver,pattern={{version}}',
      push: 'true',
    });
    expect(result.push).toEqual({ push: false, reason: 'no tag rule gives a tag for this event' });
  });

  it('loads a single-platform build into the engine when not pushing', () => {
    const result = plan(gitlab('branch-main'), { images: 'app', load: 'true', push: 'false' });
    expect(result.build.output).toEqual({ kind: 'load', tags: ['app:main'] });
  });

  it('uses an existing builder by name', () => {
    expect(plan(gitlab('branch-main'), { builder: 'mine' }).builder).toEqual({ kind: 'existing', name: 'mine' });
  });

  it('keeps secrets out of the plan', () => {
    const result = plan(gitlab('branch-main'), {
      images: 'r.example.com/app',
      secrets: 'token=s3cr3t-value',
      registry: 'r.example.com',
      username: 'u',
      password: 'p4ssw0rd-value',
    });
    expect(JSON.stringify(result)).not.toMatch(/s3cr3t-value|p4ssw0rd-value/);
    expect(result.build.secretIds).toEqual(['token']);
  });
});

describe('push decisions', () => {
  const ctx = gitlab('branch-main');
  it.each([
    ['never', ['a.io/x'], ['a.io'], false, 'push is false'],
    ['always', [], [], true, 'push is true'],
    ['auto', [], [], false, 'push is auto and images is empty'],
    ['auto', ['a.io/x', 'b.io/y'], ['a.io'], false, 'push is auto and there are no credentials for b.io'],
    ['auto', ['a.io/x', 'b.io/y'], ['a.io', 'b.io'], true, 'push is auto and there are credentials for every registry'],
  ] as const)('%s with %j and logins %j', (mode, images, logins, push, reason) => {
    expect(decidePush(mode, ctx, images, logins)).toEqual({ push, reason });
  });

  it('builds and scans a pull or merge request without pushing it, unless push is true', () => {
    const ctx = gitlabContext(readEnvFile('gitlab/merge-request.env'), NOW);
    expect(decidePush('auto', ctx, ['a.io/x'], ['a.io'])).toEqual({
      push: false,
      reason: 'push is auto and this is a pull or merge request: built and scanned, not pushed (push: true pushes it)',
    });
    expect(decidePush('always', ctx, ['a.io/x'], ['a.io']).push).toBe(true);
  });

  it('never pushes a pull request from a fork', () => {
    const env = { ...readEnvFile('gitlab/merge-request.env'), CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '9' };
    expect(decidePush('auto', gitlabContext(env, NOW), ['a.io/x'], ['a.io'])).toEqual({
      push: false,
      reason: 'push is auto and this is a pull request from a fork, which gets no credentials',
    });
  });
});

describe('references', () => {
  it.each([
    ['ghcr.io/o/app', 'ghcr.io'],
    ['registry.lab.test:5443/lab/app', 'registry.lab.test:5443'],
    ['localhost/app', 'localhost'],
    ['library/alpine', 'docker.io'],
    ['alpine', 'docker.io'],
    ['index.docker.io/o/app', 'docker.io'],
  ])('%s is on %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });

  it('cuts the tag, not a registry port', () => {
    expect(repositoryOf('registry.lab.test:5443/lab/app:1.2')).toBe('registry.lab.test:5443/lab/app');
    expect(repositoryOf('registry.lab.test:5443/lab/app')).toBe('registry.lab.test:5443/lab/app');
  });

  it('finds the platform’s own credentials', () => {
    expect(automaticCandidates('github', { GITHUB_ACTOR: 'octo' }, 'ghs_x')).toEqual([
      { registry: 'ghcr.io', username: 'octo', password: 'ghs_x', source: 'automatic' },
    ]);
    expect(automaticCandidates('github', {}, 'ghs_x')).toEqual([]);
    expect(automaticCandidates('local', { CI_REGISTRY: 'r' }, undefined)).toEqual([]);
  });
});
