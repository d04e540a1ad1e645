// `push: digest` builds one platform per matrix job: each job's layer cache must be its platform's own, or the jobs
// of one matrix would overwrite each other's cache on every run.
import { describe, expect, it } from 'vitest';
import { gitlabContext } from '../../../src/context/gitlab.js';
import type { CiContext } from '../../../src/context/types.js';
import type { CachePlan } from '../../../src/plan/cache.js';
import { readEnvFile } from '../helpers/env-file.js';
import { branchPlan, NOW } from '../helpers/plan.js';
import { fixtureContext } from '../meta/helpers.js';

function cacheOf(ctx: CiContext, platform: string, cache: 'registry' | 'gha'): CachePlan {
  const given: Record<string, string> = {
    images: 'registry.example.com/team/app',
    push: 'digest',
    platforms: platform,
    cache,
  };
  const plan = branchPlan(given, { ctx, ghaAvailable: true });
  expect(plan.operation).toMatchObject({ kind: 'digest', platform });
  return plan.cache;
}

describe('push: digest, one platform per job: each platform keeps its own cache key', () => {
  it('registry (GitLab, main): one cache tag per platform, read and written by its own job only', () => {
    const ctx = gitlabContext(readEnvFile('gitlab/branch-main.env'), NOW);
    const amd64 = cacheOf(ctx, 'linux/amd64', 'registry');
    const arm64 = cacheOf(ctx, 'linux/arm64', 'registry');
    expect(amd64.to).toEqual([
      expect.stringMatching(/^type=registry,ref=registry\.example\.com\/team\/app\/cache:amd64-main,/),
    ]);
    expect(arm64.to).toEqual([
      expect.stringMatching(/^type=registry,ref=registry\.example\.com\/team\/app\/cache:arm64-main,/),
    ]);
    expect(amd64.from).toEqual(['type=registry,ref=registry.example.com/team/app/cache:amd64-main']);
    expect(arm64.from).toEqual(['type=registry,ref=registry.example.com/team/app/cache:arm64-main']);
  });

  it('gha (GitHub, a push to master): one scope per platform', () => {
    const ctx = fixtureContext('event_push_master.env');
    const amd64 = cacheOf(ctx, 'linux/amd64', 'gha');
    const arm64 = cacheOf(ctx, 'linux/arm64', 'gha');
    expect(amd64.from).toEqual(['type=gha,scope=team-app-amd64-master']);
    expect(amd64.to).toEqual(['type=gha,scope=team-app-amd64-master,mode=max,ignore-error=true']);
    expect(arm64.from).toEqual(['type=gha,scope=team-app-arm64-master']);
    expect(arm64.to).toEqual(['type=gha,scope=team-app-arm64-master,mode=max,ignore-error=true']);
  });
});
