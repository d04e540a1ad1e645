import { describe, expect, it } from 'vitest';
import { gitlabContext } from '../../../src/context/gitlab.js';
import type { CiContext } from '../../../src/context/types.js';
import type { RegistryLogin } from '../../../src/inputs/login.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../src/inputs/read.js';
import { automaticCandidates } from '../../../src/plan/automatic-login.js';
import { makePlan, repositoryOf } from '../../../src/plan/plan.js';
import type { UserDockerConfig } from '../../../src/plan/credentials.js';
import { references } from '../../../src/plan/types.js';
import { decidePush } from '../../../src/plan/push.js';
import { registryOf } from '../../../src/plan/registries.js';
import { readEnvFile } from '../helpers/env-file.js';
import { planJson } from '../../../src/cli/plan-json.js';
import { CLOCK, fixtureContext, readCases } from '../meta/helpers.js';

const NOW = new Date('2026-11-22T08:00:00Z');
const TOGGLES = { shortShaLength: undefined, prHeadSha: false, annotationLevels: undefined };

function inputs(given: Record<string, string>) {
  return parseInputs(
    rawInputs(Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]))),
  );
}

function plan(
  ctx: CiContext,
  given: Record<string, string>,
  automatic: RegistryLogin[] = [],
  more: { dockerConfig?: UserDockerConfig; dockerfile?: string; now?: Date } = {},
) {
  const parsed = inputs(given);
  return makePlan({
    dockerConfig: more.dockerConfig,
    dockerfile: more.dockerfile,
    ctx,
    inputs: parsed,
    logins: parsed.logins,
    automatic,
    toggles: TOGGLES,
    now: more.now ?? NOW,
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
    expect(references(result.tags)).toEqual([
      'registry.gitlab.example.com/group/app:main',
      'registry.gitlab.example.com/group/app:sha-01234567',
    ]);
    expect(result.push).toEqual({ push: true, reason: 'push is auto and this is a push to a branch' });
    expect(result.logins).toEqual([{ registry: 'registry.gitlab.example.com', source: 'automatic' }]);
    expect(result.credentials).toEqual([{ registry: 'registry.gitlab.example.com', push: true, source: 'automatic' }]);
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
    expect(plan(gitlab('merge-request'), { images: 'r.example.com/app' }).tags).toEqual([
      { repository: 'r.example.com/app', tags: ['mr-42'] },
    ]);
  });

  it('a tag pipeline gets the semver tags', () => {
    const result = plan(gitlab('tag-v1.2.3'), {
      images: 'r.example.com/app',
      tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}',
      push: 'false',
    });
    expect(result.tags).toEqual([{ repository: 'r.example.com/app', tags: ['1.2.3', '1.2', 'latest'] }]);
    expect(result.version).toBe('1.2.3');
  });

  it('a push with no credential for a pushed registry: the plan says the build would stop, naming it and the ways out', () => {
    const blocked = plan(gitlab('branch-main'), { images: 'ghcr.io/o/app' });
    expect(blocked.push.push).toBe(true);
    expect(blocked.push.blocked).toMatch(
      /^no credential for ghcr\.io, and this run pushes there \(push: auto pushes on every event but pull and merge requests\)\. Give one: the registry, username and password inputs.*a login before this step.*credential helper.*\$CI_REGISTRY.*push: false/,
    );
    expect(planJson(blocked).pushBlocked).toBe(blocked.push.blocked);
    const mr = plan(gitlab('merge-request'), { images: 'ghcr.io/o/app' });
    expect(mr.push).toEqual(expect.objectContaining({ push: false }));
    expect(mr.push.blocked).toBeUndefined();
    expect(mr.build.output).toEqual({ kind: 'none' });
  });

  it('does not push when no rule gives a tag for the event, and warns; push: true makes it an error', () => {
    const given = { images: 'r.example.com/app', tags: 'type=semver,pattern={{version}}' };
    expect(plan(gitlab('branch-main'), given).push).toEqual({
      push: false,
      reason: 'push is auto, and no tag rule gives a tag for this event',
      warn: true,
    });
    expect(() => plan(gitlab('branch-main'), { ...given, push: 'true' })).toThrow(
      'Invalid push "true": no tag rule gives a tag for this event, so there is nothing to push',
    );
    expect(() => plan(gitlab('branch-main'), { push: 'true' })).toThrow(
      'Invalid push "true": needs an image in images, or a full image reference in tags',
    );
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
    ['never', ['a.io/x'], false, 'push is false'],
    ['always', [], true, 'push is true'],
    ['auto', [], false, 'push is auto, and neither images nor tags name a repository to push to'],
    ['auto', ['a.io/x', 'b.io/y'], true, 'push is auto and this is a push to a branch'],
  ] as const)('%s with %j', (mode, images, push, reason) => {
    expect(decidePush(mode, ctx, images)).toEqual({ push, reason });
  });

  it.each([
    ['gitlab/tag-v1.2.3.env', 'push is auto and this is a tag'],
    ['gitlab/schedule.env', 'push is auto and this is a scheduled run'],
  ])('pushes on every event but pull and merge requests: %s', (fixture, reason) => {
    expect(decidePush('auto', gitlabContext(readEnvFile(fixture), NOW), ['a.io/x'])).toEqual({ push: true, reason });
  });

  it('builds and scans a pull or merge request without pushing it, unless push is true', () => {
    const ctx = gitlabContext(readEnvFile('gitlab/merge-request.env'), NOW);
    expect(decidePush('auto', ctx, ['a.io/x'])).toEqual({
      push: false,
      reason: 'push is auto and this is a pull or merge request: built and scanned, not pushed (push: true pushes it)',
    });
    expect(decidePush('always', ctx, ['a.io/x']).push).toBe(true);
  });

  it('never pushes a pull request from a fork', () => {
    const env = { ...readEnvFile('gitlab/merge-request.env'), CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '9' };
    expect(decidePush('auto', gitlabContext(env, NOW), ['a.io/x'])).toEqual({
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

describe('tags as users write them', () => {
  const config: UserDockerConfig = {
    path: '/home/u/.docker/config.json',
    auths: [{ key: 'ghcr.io', registry: 'ghcr.io', usable: true }],
    credHelpers: [],
    credsStore: undefined,
    helpersOnPath: [],
  };

  it('a tags line that is a full reference is that reference: pushed as written, with no images', () => {
    const result = plan(gitlab('branch-main'), { tags: 'ghcr.io/acme/app:latest\nghcr.io/acme/app:1.2' }, [], {
      dockerConfig: config,
    });
    expect(result.tags).toEqual([{ repository: 'ghcr.io/acme/app', tags: ['latest', '1.2'] }]);
    expect(result.build.output).toEqual({ kind: 'push-by-digest', repositories: ['ghcr.io/acme/app'] });
    expect(result.version).toBe('latest');
    expect(result.credentials).toEqual([
      {
        registry: 'ghcr.io',
        push: true,
        source: 'a prior login (auths ghcr.io)',
        copy: { kind: 'auths', key: 'ghcr.io' },
      },
    ]);
  });

  it('references beside rules: the rules apply to images, the references stand as they are', () => {
    const result = plan(
      gitlab('branch-main'),
      {
        images: 'ghcr.io/acme/app',
        tags: 'type=ref,event=branch\nghcr.io/acme/mirror:stable',
      },
      [],
      { dockerConfig: config },
    );
    expect(result.tags).toEqual([
      { repository: 'ghcr.io/acme/app', tags: ['main'] },
      { repository: 'ghcr.io/acme/mirror', tags: ['stable'] },
    ]);
    expect(result.build.output).toEqual({
      kind: 'push-by-digest',
      repositories: ['ghcr.io/acme/app', 'ghcr.io/acme/mirror'],
    });
  });

  it('only references: no default rule adds tags to the images', () => {
    const result = plan(gitlab('branch-main'), { images: 'ghcr.io/acme/app', tags: 'ghcr.io/acme/app:edge' }, [], {
      dockerConfig: config,
    });
    expect(result.tags).toEqual([{ repository: 'ghcr.io/acme/app', tags: ['edge'] }]);
  });

  // metadata-action gives the bare tags when there is no image; so does plan (they gave none before).
  it.each(['push21', 'tag33', 'latest10'])('metadata-action case %s: plan prints the bare tags', (name) => {
    const c = readCases().find((each) => each.name === name);
    if (c === undefined) throw new Error(`no case ${name}`);
    const result = plan(
      { ...fixtureContext(c.envFile), commitDate: CLOCK },
      { tags: (c.inputs.tags ?? []).join('\n') },
      [],
      { now: CLOCK },
    );
    expect(result.tags).toEqual([]);
    expect(planJson(result).tags).toEqual(c.tags);
    expect(result.push.push).toBe(false);
  });
});

describe('the registries of a run and their credentials', () => {
  it('where it pushes, its cache, the Dockerfile’s base images, Trivy’s database: each with the job’s credential', () => {
    const config: UserDockerConfig = {
      path: '/c.json',
      auths: [
        { key: 'https://index.docker.io/v1/', registry: 'docker.io', usable: true },
        { key: 'registry2.lab.test:5444', registry: 'registry2.lab.test:5444', usable: true },
      ],
      credHelpers: [{ key: 'private.example.com', registry: 'private.example.com', helper: 'lab' }],
      credsStore: undefined,
      helpersOnPath: ['lab'],
    };
    const dockerfile = [
      '# syntax=docker/dockerfile:1',
      'ARG BASE=alpine:3.22',
      'FROM --platform=$BUILDPLATFORM golang:1.26 AS build',
      'FROM ${BASE}',
      'COPY --from=build /out /out',
      'COPY --from=private.example.com/tools/lint:1 /bin/lint /bin/lint',
    ].join('\n');
    const result = plan(
      gitlab('branch-main'),
      {
        images: 'registry2.lab.test:5444/e2e/app',
        cache: 'registry',
        'build-args': 'BASE=quay.io/org/base:2',
        'db-repository': 'mirror.example.com/aquasec/trivy-db:2',
      },
      [],
      { dockerConfig: config, dockerfile },
    );
    expect(result.credentials.map(({ registry, push, source }) => [registry, push, source])).toEqual([
      ['registry2.lab.test:5444', true, 'a prior login (auths registry2.lab.test:5444)'],
      ['docker.io', false, 'a prior login (auths https://index.docker.io/v1/)'],
      ['quay.io', false, 'none'],
      ['private.example.com', false, 'credential helper lab (credHelpers)'],
      ['mirror.example.com', false, 'none'],
    ]);
  });
});
