import { describe, expect, it } from 'vitest';
import { gitlabContext } from '../../../src/context/gitlab.js';
import { readEnvFile } from '../helpers/env-file.js';

const NOW = new Date('2026-11-22T00:00:00Z');
const context = (fixture: string) => gitlabContext(readEnvFile(`gitlab/${fixture}.env`), NOW);

describe('GitLab pipelines as a CiContext', () => {
  it('a branch pipeline is a push of refs/heads/<branch>', () => {
    expect(context('branch-main')).toEqual({
      platform: 'gitlab',
      event: 'push',
      eventName: 'push',
      ref: 'refs/heads/main',
      sha: '0123456789abcdef0123456789abcdef01234567',
      pullRequest: undefined,
      baseRef: '',
      repository: {
        name: 'app',
        url: 'https://gitlab.example.com/group/app',
        description: 'An example application',
        license: undefined,
        defaultBranch: 'main',
      },
      commitDate: new Date('2026-11-20T09:15:30Z'),
    });
  });

  it('keeps the branch name as it is (sanitising is the tag engine’s job)', () => {
    expect(context('branch-feature').ref).toBe('refs/heads/feature/Login-Page');
  });

  it('a tag pipeline is a tag event', () => {
    expect(context('tag-v1.2.3')).toMatchObject({ event: 'tag', ref: 'refs/tags/v1.2.3', eventName: 'push' });
  });

  it('a merge request pipeline is a pr event on refs/merge-requests/<iid>/head', () => {
    expect(context('merge-request')).toMatchObject({
      event: 'pr',
      eventName: 'merge_request_event',
      ref: 'refs/merge-requests/42/head',
      pullRequest: {
        number: 42,
        headSha: '3123456789abcdef0123456789abcdef01234567',
        headRef: 'feature/login',
        baseRef: 'main',
        fromFork: false,
      },
      baseRef: 'main',
    });
  });

  it('a merge request from a fork is marked as one', () => {
    const env = {
      ...readEnvFile('gitlab/merge-request.env'),
      CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '7',
      CI_MERGE_REQUEST_PROJECT_ID: '3',
    };
    expect(gitlabContext(env, NOW).pullRequest?.fromFork).toBe(true);
  });

  it('in a merged-results pipeline, the head SHA is the source branch’s, not the merge commit', () => {
    const ctx = context('merge-request-merged-result');
    expect(ctx.sha).toBe('4123456789abcdef0123456789abcdef01234567');
    expect(ctx.pullRequest?.headSha).toBe('5123456789abcdef0123456789abcdef01234567');
  });

  it('schedule and web pipelines', () => {
    expect(context('schedule')).toMatchObject({ event: 'schedule', ref: 'refs/heads/main' });
    expect(context('web')).toMatchObject({ event: 'manual', eventName: 'web', ref: 'refs/heads/develop' });
  });

  it('falls back to the given date when CI_COMMIT_TIMESTAMP is missing', () => {
    expect(gitlabContext({ CI_PIPELINE_SOURCE: 'push' }, NOW).commitDate).toEqual(NOW);
  });
});
