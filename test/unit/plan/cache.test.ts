import { describe, expect, it } from 'vitest';
import { gitlabContext } from '../../../src/context/gitlab.js';
import { readEnvFile } from '../helpers/env-file.js';
import type { CiContext } from '../../../src/context/types.js';
import { branchesOf, cacheKey, cacheRepository, planCache, type CacheRequest } from '../../../src/plan/cache.js';

function context(event: CiContext['event'], ref: string, extra: Partial<CiContext> = {}): CiContext {
  return {
    platform: 'github',
    event,
    eventName: event,
    ref,
    sha: 'abc',
    pullRequest: undefined,
    baseRef: '',
    repository: { name: 'app', url: '', description: '', license: undefined, defaultBranch: 'main' },
    commitDate: new Date(0),
    ...extra,
  };
}

const pr = (fromFork: boolean, headRef = 'feature/login', baseRef = 'main') =>
  context('pr', 'refs/pull/7/merge', { pullRequest: { number: 7, headSha: 'def', headRef, baseRef, fromFork } });

function request(ctx: CiContext, given: Partial<CacheRequest> = {}): CacheRequest {
  return {
    ctx,
    cache: 'auto',
    mode: 'max',
    ref: undefined,
    scope: undefined,
    rawFrom: [],
    rawTo: [],
    repositories: ['ghcr.io/acme/app'],
    tags: ['ghcr.io/acme/app:main'],
    target: undefined,
    platforms: ['linux/amd64', 'linux/arm64'],
    hostPlatform: 'linux/amd64',
    push: true,
    ghaAvailable: true,
    ...given,
  };
}

describe('cache scopes: one per image + target + platforms + branch, the default branch read too', () => {
  it.each([
    ['a push to main: reads and writes main', context('push', 'refs/heads/main'), ['main'], 'main'],
    ['a new branch: its own, then main', context('push', 'refs/heads/feature/x'), ['feature/x', 'main'], 'feature/x'],
    ['a tag: main, writes nothing', context('tag', 'refs/tags/v1.2.3'), ['main'], undefined],
    [
      'a pull request: its branch, its target, main; writes its branch',
      pr(false),
      ['feature/login', 'main'],
      'feature/login',
    ],
    ['a pull request into a release branch', pr(false, 'fix', 'release/1'), ['fix', 'release/1', 'main'], 'fix'],
    ['a pull request from a fork: writes nothing', pr(true), ['feature/login', 'main'], undefined],
    ['a pull request from the default branch itself never writes it', pr(false, 'main', 'main'), ['main'], undefined],
  ])('%s', (_, ctx, read, write) => {
    const { read: got, write: written } = branchesOf(ctx);
    expect([...new Set(got)]).toEqual(read);
    expect(written).toBe(write);
  });

  it('uses the repository’s default branch when known, else main', () => {
    const ctx = context('push', 'refs/heads/dev');
    expect(branchesOf({ ...ctx, repository: { ...ctx.repository, defaultBranch: 'trunk' } }).read).toEqual([
      'dev',
      'trunk',
    ]);
    expect(branchesOf({ ...ctx, repository: { ...ctx.repository, defaultBranch: undefined } }).read).toEqual([
      'dev',
      'main',
    ]);
  });
});

describe('cache keys', () => {
  it('are valid registry tags, and a changed branch name gets a hash so that two never collide', () => {
    expect(cacheKey('app-amd64', 'main')).toBe('app-amd64-main');
    const slash = cacheKey('app-amd64', 'feat/a');
    const dash = cacheKey('app-amd64', 'feat-a');
    expect(slash).toMatch(/^app-amd64-feat-a-[0-9a-f]{8}$/);
    expect(dash).toBe('app-amd64-feat-a');
    const long = cacheKey('app', 'x'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
    expect(cacheKey('app', '$(touch /tmp/pwned)')).toMatch(/^app---touch--tmp-pwned--[0-9a-f]{8}$/);
  });

  it('differ per target and per platform set, so matrix jobs keep their own', () => {
    const ctx = context('push', 'refs/heads/main');
    const keys = [
      planCache(request(ctx, { target: 'web' })),
      planCache(request(ctx, { target: 'worker' })),
      planCache(request(ctx, { target: 'web', platforms: ['linux/amd64'] })),
      planCache(request(ctx, { platforms: [] })),
      planCache(request(ctx, { platforms: [], hostPlatform: 'linux/arm64' })),
    ].map((plan) => plan.writeKey);
    expect(keys).toEqual([
      'acme-app-web-amd64.arm64-main',
      'acme-app-worker-amd64.arm64-main',
      'acme-app-web-amd64-main',
      'acme-app-amd64-main',
      'acme-app-arm64-main',
    ]);
  });

  it('take cache-scope in place of image, target and platforms', () => {
    const plan = planCache(request(context('push', 'refs/heads/dev'), { scope: 'shared' }));
    expect(plan.readKeys).toEqual(['shared-dev', 'shared-main']);
  });
});

describe('the cache kind', () => {
  it.each([
    ['GitHub with a cache service: gha', 'github', true, 'gha'],
    ['GitHub without one (self-hosted, no cache service): none', 'github', false, 'none'],
    ['GitLab: registry', 'gitlab', false, 'registry'],
    ['local: none (the builder keeps its own)', 'local', false, 'none'],
  ] as const)('auto, %s', (_, platform, ghaAvailable, kind) => {
    const ctx = { ...context('push', 'refs/heads/main'), platform };
    expect(planCache(request(ctx, { ghaAvailable })).kind).toBe(kind);
  });

  it('gha where there is no cache service: none, with a warning, never a failure', () => {
    const plan = planCache(request(context('push', 'refs/heads/main'), { cache: 'gha', ghaAvailable: false }));
    expect(plan.kind).toBe('none');
    expect(plan.warning).toMatch(/cache: gha needs the runner’s cache service/);
    expect(plan.from).toEqual([]);
  });
});

describe('--cache-from and --cache-to', () => {
  const main = context('push', 'refs/heads/feature');

  it('gha: scopes read in order, this branch written, export errors ignored; no token anywhere', () => {
    const plan = planCache(request(main));
    expect(plan.from).toEqual([
      'type=gha,scope=acme-app-amd64.arm64-feature',
      'type=gha,scope=acme-app-amd64.arm64-main',
    ]);
    expect(plan.to).toEqual(['type=gha,scope=acme-app-amd64.arm64-feature,mode=max,ignore-error=true']);
    expect(JSON.stringify(plan)).not.toMatch(/token|url/i);
  });

  it('registry: a cache repository beside the image, OCI image manifests, export errors ignored', () => {
    const plan = planCache(request(main, { cache: 'registry', mode: 'min' }));
    expect(plan.from).toEqual([
      'type=registry,ref=ghcr.io/acme/app/cache:amd64.arm64-feature',
      'type=registry,ref=ghcr.io/acme/app/cache:amd64.arm64-main',
    ]);
    expect(plan.to).toEqual([
      'type=registry,ref=ghcr.io/acme/app/cache:amd64.arm64-feature,mode=min,image-manifest=true,oci-mediatypes=true,ignore-error=true',
    ]);
  });

  it('registry, not pushing: read only', () => {
    const plan = planCache(request(main, { cache: 'registry', push: false }));
    expect(plan.from).toHaveLength(2);
    expect(plan.to).toEqual([]);
    expect(plan.writeKey).toBeUndefined();
  });

  it('registry: cache-ref, and Docker Hub’s two path levels', () => {
    expect(cacheRepository({ ref: 'registry.example.com/caches/app', repositories: [] })).toBe(
      'registry.example.com/caches/app',
    );
    expect(cacheRepository({ ref: undefined, repositories: ['docker.io/acme/app'] })).toBe('docker.io/acme/app-cache');
    expect(cacheRepository({ ref: undefined, repositories: ['registry.gitlab.com/g/p'] })).toBe(
      'registry.gitlab.com/g/p/cache',
    );
  });

  it('local: one directory per key', () => {
    const plan = planCache(request(main, { cache: 'local', ref: '/tmp/cache' }));
    expect(plan.from).toEqual([
      'type=local,src=/tmp/cache/acme-app-amd64.arm64-feature',
      'type=local,src=/tmp/cache/acme-app-amd64.arm64-main',
    ]);
    expect(plan.to).toEqual(['type=local,dest=/tmp/cache/acme-app-amd64.arm64-feature,mode=max']);
  });

  it('inline: the image’s own tags', () => {
    const plan = planCache(request(main, { cache: 'inline' }));
    expect(plan.from).toEqual(['type=registry,ref=ghcr.io/acme/app:main']);
    expect(plan.to).toEqual(['type=inline']);
  });

  it('none, plus the raw entries experts add', () => {
    const plan = planCache(
      request(main, { cache: 'none', rawFrom: ['type=registry,ref=r/x:c'], rawTo: ['type=local,dest=/c'] }),
    );
    expect(plan.from).toEqual(['type=registry,ref=r/x:c']);
    expect(plan.to).toEqual(['type=local,dest=/c']);
  });
});

describe('on GitLab, from real pipeline variables: the registry is the cache', () => {
  const NOW = new Date('2026-03-01T12:00:00Z');
  const on = (fixture: string, push = true) =>
    planCache(
      request(gitlabContext(readEnvFile(`gitlab/${fixture}.env`), NOW), {
        repositories: ['registry.gitlab.com/group/project'],
        platforms: ['linux/amd64'],
        ghaAvailable: false,
        push,
      }),
    );

  it.each([
    ['branch-main', ['amd64-main'], 'amd64-main'],
    ['branch-feature', [expect.stringMatching(/^amd64-feature-Login-Page-[0-9a-f]{8}$/), 'amd64-main'], 'feature'],
    ['merge-request', [expect.stringMatching(/^amd64-feature-login-/), 'amd64-main'], 'feature'],
    ['merge-request-merged-result', [expect.stringMatching(/^amd64-feature-login-/), 'amd64-main'], 'feature'],
    ['tag-v1.2.3', ['amd64-main'], undefined],
    ['schedule', ['amd64-main'], 'amd64-main'],
    ['web', ['amd64-develop', 'amd64-main'], 'amd64-develop'],
  ] as const)('%s', (fixture, read, write) => {
    const plan = on(fixture);
    expect(plan.kind).toBe('registry');
    expect(plan.readKeys).toEqual(read);
    if (write === undefined) expect(plan.writeKey).toBeUndefined();
    else expect(plan.writeKey).toContain(write);
    expect(plan.from[0]).toMatch(/^type=registry,ref=registry\.gitlab\.com\/group\/project\/cache:amd64-/);
  });
});
