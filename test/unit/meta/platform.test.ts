/** What differs by platform and by metadata-action's environment toggles, passed in as options. */
import { describe, expect, it } from 'vitest';
import type { CiContext } from '../../../src/context/types.js';
import { computeMeta } from '../../../src/meta/index.js';
import { CLOCK, fixtureContext, options } from './helpers.js';

const MERGE_SHA = '0123456789abcdef0123456789abcdef01234567';
const HEAD_SHA = 'fedcba9876543210fedcba9876543210fedcba98';

function gitlabMergeRequest(): CiContext {
  return {
    platform: 'gitlab',
    event: 'pr',
    eventName: 'merge_request_event',
    ref: 'refs/merge-requests/42/head',
    sha: MERGE_SHA,
    pullRequest: { number: 42, headSha: HEAD_SHA, headRef: 'feature', baseRef: 'main', fromFork: false },
    baseRef: 'main',
    repository: {
      name: 'app',
      url: 'https://gitlab.com/group/app',
      description: '',
      license: undefined,
      defaultBranch: 'main',
    },
    commitDate: CLOCK,
  };
}

function gitlabBranch(branch: string): CiContext {
  return {
    ...gitlabMergeRequest(),
    event: 'push',
    eventName: 'push',
    ref: `refs/heads/${branch}`,
    pullRequest: undefined,
    baseRef: '',
  };
}

describe('GitLab', () => {
  it('tags a merge request mr-<iid> with the default rules', () => {
    const meta = computeMeta(gitlabMergeRequest(), options({ images: ['registry.gitlab.com/group/app'] }), CLOCK);
    expect(meta.tags).toEqual(['registry.gitlab.com/group/app:mr-42']);
  });

  it('keeps an explicit prefix on type=ref,event=pr', () => {
    const meta = computeMeta(gitlabMergeRequest(), options({ tags: ['type=ref,event=pr,prefix=pr-'] }), CLOCK);
    expect(meta.tags).toEqual(['pr-42']);
  });

  it('uses 8 characters of the SHA, as CI_COMMIT_SHORT_SHA does', () => {
    const meta = computeMeta(gitlabBranch('main'), options({ tags: ['type=raw,value=b-{{sha}}', 'type=sha'] }), CLOCK);
    expect(meta.tags).toEqual(['b-01234567', 'sha-01234567']);
  });

  it('knows the default branch for {{is_default_branch}} and type=edge', () => {
    const tags = ['type=edge', 'type=raw,value=default,enable={{is_default_branch}}'];
    expect(computeMeta(gitlabBranch('main'), options({ tags }), CLOCK).tags).toEqual(['edge', 'default']);
    expect(computeMeta(gitlabBranch('dev'), options({ tags }), CLOCK).tags).toEqual([]);
  });

  it('does not treat a GitLab schedule on another branch as the default branch', () => {
    const ctx: CiContext = { ...gitlabBranch('dev'), event: 'schedule', eventName: 'schedule' };
    const meta = computeMeta(ctx, options({ tags: ['type=raw,value=x,enable={{is_default_branch}}'] }), CLOCK);
    expect(meta.tags).toEqual([]);
  });
});

describe('GitHub and local', () => {
  it('tags a pull request pr-<number> and uses 7 characters of the SHA', () => {
    const meta = computeMeta(
      fixtureContext('event_pull_request.env'),
      options({ tags: ['type=ref,event=pr', 'type=sha'] }),
      CLOCK,
    );
    expect(meta.tags).toEqual(['pr-15', 'sha-a9c8c58']);
  });

  it('uses 7 characters on the local command', () => {
    const ctx: CiContext = { ...gitlabBranch('main'), platform: 'local', eventName: 'local' };
    expect(computeMeta(ctx, options({ tags: ['type=sha'] }), CLOCK).tags).toEqual(['sha-0123456']);
  });
});

describe('SHA length', () => {
  const tags = ['type=sha,priority=300', 'type=raw,value={{sha}}'];

  it('takes the sha-length input first', () => {
    const meta = computeMeta(gitlabBranch('main'), options({ tags, shaLength: 12, shortShaLengthEnv: 10 }), CLOCK);
    expect(meta.tags).toEqual(['sha-0123456789ab', '0123456789ab']);
  });

  it('then DOCKER_METADATA_SHORT_SHA_LENGTH', () => {
    const meta = computeMeta(gitlabBranch('main'), options({ tags, shortShaLengthEnv: 10 }), CLOCK);
    expect(meta.tags).toEqual(['sha-0123456789', '0123456789']);
  });

  it('then the platform default', () => {
    expect(computeMeta(gitlabBranch('main'), options({ tags }), CLOCK).tags).toEqual(['sha-01234567', '01234567']);
    const github = fixtureContext('event_push_dev.env');
    expect(computeMeta(github, options({ tags }), CLOCK).tags).toEqual(['sha-860c190', '860c190']);
  });

  it('leaves format=long whole', () => {
    const meta = computeMeta(gitlabBranch('main'), options({ tags: ['type=sha,format=long'], shaLength: 5 }), CLOCK);
    expect(meta.tags).toEqual([`sha-${MERGE_SHA}`]);
  });

  it('rejects a length outside 4 to 40, naming where it came from', () => {
    const ctx = gitlabBranch('main');
    expect(() => computeMeta(ctx, options({ shaLength: 3 }), CLOCK)).toThrow(
      /Invalid sha-length "3": expected a whole number from 4 to 40/,
    );
    expect(() => computeMeta(ctx, options({ shortShaLengthEnv: 41 }), CLOCK)).toThrow(
      /Invalid DOCKER_METADATA_SHORT_SHA_LENGTH "41"/,
    );
    expect(() => computeMeta(ctx, options({ shaLength: 7.5 }), CLOCK)).toThrow(/Invalid sha-length "7.5"/);
  });
});

describe('DOCKER_METADATA_PR_HEAD_SHA', () => {
  it('uses the merge request head for type=sha, {{sha}} and the revision label', () => {
    const meta = computeMeta(
      gitlabMergeRequest(),
      options({ tags: ['type=raw,value=at-{{sha}}', 'type=sha'], prHeadSha: true }),
      CLOCK,
    );
    expect(meta.tags).toEqual(['at-fedcba98', 'sha-fedcba98']);
    expect(meta.labels).toContain(`org.opencontainers.image.revision=${HEAD_SHA}`);
  });

  it('uses the built commit without the toggle', () => {
    const meta = computeMeta(gitlabMergeRequest(), options({ tags: ['type=sha'] }), CLOCK);
    expect(meta.tags).toEqual(['sha-01234567']);
    expect(meta.labels).toContain(`org.opencontainers.image.revision=${MERGE_SHA}`);
  });

  it('changes nothing outside pull requests', () => {
    const meta = computeMeta(gitlabBranch('main'), options({ tags: ['type=sha'], prHeadSha: true }), CLOCK);
    expect(meta.tags).toEqual(['sha-01234567']);
  });
});
