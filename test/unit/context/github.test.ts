import { describe, expect, it } from 'vitest';
import { githubContext } from '../../../src/context/github.js';
import type { RepositoryInfo } from '../../../src/context/types.js';
import { CLOCK, readEnv, readPayload, readRepo } from '../meta/helpers.js';

function contextOf(envFile: string, withRepo = true) {
  const env = readEnv(envFile);
  return githubContext(env, readPayload(env), withRepo ? readRepo() : undefined, CLOCK);
}

const HELLO_WORLD: RepositoryInfo = {
  name: 'Hello-World',
  url: 'https://github.com/octocat/Hello-World',
  description: 'This your first repo!',
  license: 'MIT',
  defaultBranch: 'master',
};

describe('githubContext', () => {
  it('reads a push to a branch', () => {
    expect(contextOf('event_push_dev.env')).toEqual({
      platform: 'github',
      event: 'push',
      eventName: 'push',
      ref: 'refs/heads/dev',
      sha: '860c1904a1ce19322e91ac35af1ab07466440c37',
      pullRequest: undefined,
      baseRef: '',
      repository: HELLO_WORLD,
      commitDate: new Date('2022-04-19T11:27:24+02:00'),
    });
  });

  it('reads a push of a tag, with the branch it was pushed from as base ref', () => {
    expect(contextOf('event_tag_v1.1.1.env')).toMatchObject({
      event: 'tag',
      eventName: 'push',
      ref: 'refs/tags/v1.1.1',
      baseRef: 'master',
      commitDate: new Date('2022-04-19T11:39:35+02:00'),
    });
  });

  it('reads a tag push without payload, dating the commit with the fallback', () => {
    expect(contextOf('event_tag_v2.0.8-beta.67.env')).toMatchObject({
      event: 'tag',
      ref: 'refs/tags/v2.0.8-beta.67',
      baseRef: '',
      pullRequest: undefined,
      commitDate: CLOCK,
    });
  });

  it('reads a pull request: the merge ref and commit, the head commit, both branches, the fork', () => {
    expect(contextOf('event_pull_request.env')).toMatchObject({
      event: 'pr',
      eventName: 'pull_request',
      ref: 'refs/pull/15/merge',
      sha: 'a9c8c5828b91be19d9728548b24759e352367ef1',
      pullRequest: {
        number: 15,
        headSha: '3370e228f2209994d57af4427fe64e71bb79ac96',
        headRef: 'test-pr',
        baseRef: 'master',
        fromFork: true,
      },
      baseRef: 'master',
    });
  });

  it('gives pull_request_target the PR ref instead of the base branch GitHub sets', () => {
    expect(contextOf('event_pull_request_target.env')).toMatchObject({
      event: 'pr',
      eventName: 'pull_request_target',
      ref: 'refs/pull/15/merge',
      sha: '266574110acf203503badf966df2ea24b5d732d7',
      pullRequest: { number: 15, headSha: '3370e228f2209994d57af4427fe64e71bb79ac96', baseRef: 'master' },
      baseRef: 'master',
    });
  });

  it('reads a schedule', () => {
    expect(contextOf('event_schedule.env')).toMatchObject({
      event: 'schedule',
      eventName: 'schedule',
      ref: 'refs/heads/master',
      pullRequest: undefined,
      commitDate: CLOCK,
    });
  });

  it('reads workflow_dispatch and other events as manual', () => {
    expect(contextOf('event_workflow_dispatch.env')).toMatchObject({
      event: 'manual',
      eventName: 'workflow_dispatch',
      ref: 'refs/heads/master',
    });
    expect(contextOf('event_release_created.env')).toMatchObject({ event: 'manual', ref: 'refs/tags/v1.1.1' });
    expect(contextOf('event_issue_opened.env')).toMatchObject({ event: 'manual', eventName: 'issues' });
  });

  it('reads an empty environment as empty facts', () => {
    expect(contextOf('event_null.env', false)).toEqual({
      platform: 'github',
      event: 'manual',
      eventName: '',
      ref: '',
      sha: '',
      pullRequest: undefined,
      baseRef: '',
      repository: { name: '', url: '', description: '', license: undefined, defaultBranch: undefined },
      commitDate: CLOCK,
    });
  });

  it("falls back to the payload's repository without the API answer", () => {
    expect(contextOf('event_push_dev.env', false).repository).toEqual({
      name: 'test-docker-action',
      url: 'https://github.com/docker/test-docker-action',
      description: 'Test "Docker" Actions',
      license: 'MIT',
      defaultBranch: 'master',
    });
  });

  it('falls back to GITHUB_REPOSITORY and GITHUB_SERVER_URL without API answer or payload repository', () => {
    expect(contextOf('event_schedule.env', false).repository).toEqual({
      name: 'test-docker-action',
      url: 'https://github.com/docker/test-docker-action',
      description: '',
      license: undefined,
      defaultBranch: undefined,
    });
  });

  it('takes a pull request number from the ref when the payload has none', () => {
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_HEAD_REF: 'fix',
      GITHUB_BASE_REF: 'main',
    };
    expect(githubContext(env, undefined, undefined, CLOCK).pullRequest).toEqual({
      number: 7,
      headSha: '',
      headRef: 'fix',
      baseRef: 'main',
      fromFork: false,
    });
  });

  it('dates the commit from the commits list when there is no head_commit', () => {
    const payload = {
      commits: [
        { id: 'aaa', timestamp: '2021-05-01T10:00:00Z' },
        { id: 'bbb', timestamp: '2021-05-02T10:00:00Z' },
      ],
    };
    const env = { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_SHA: 'aaa' };
    expect(githubContext(env, payload, undefined, CLOCK).commitDate).toEqual(new Date('2021-05-01T10:00:00Z'));
    expect(githubContext({ ...env, GITHUB_SHA: 'ccc' }, payload, undefined, CLOCK).commitDate).toEqual(
      new Date('2021-05-02T10:00:00Z'),
    );
  });
});
