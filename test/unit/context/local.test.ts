import { describe, expect, it } from 'vitest';
import { localContext, webUrl, type GitFacts } from '../../../src/context/local.js';

const NOW = new Date('2026-11-22T00:00:00Z');
const FACTS: GitFacts = {
  sha: 'abcdef0123456789abcdef0123456789abcdef01',
  branch: 'main',
  tag: '',
  commitDate: '2026-11-21T12:00:00+00:00',
  originUrl: 'git@github.com:octo/app.git',
  originHead: 'main',
  topLevel: '/home/me/src/app',
};

describe('the local command’s context from git', () => {
  it('a checked-out branch is a push', () => {
    expect(localContext(FACTS, NOW)).toEqual({
      platform: 'local',
      event: 'push',
      eventName: 'local',
      ref: 'refs/heads/main',
      sha: FACTS.sha,
      pullRequest: undefined,
      baseRef: '',
      repository: {
        name: 'app',
        url: 'https://github.com/octo/app',
        description: '',
        license: undefined,
        defaultBranch: 'main',
      },
      commitDate: new Date('2026-11-21T12:00:00Z'),
    });
  });

  it('a detached HEAD at a tag is a tag event', () => {
    expect(localContext({ ...FACTS, branch: '', tag: 'v1.2.3' }, NOW)).toMatchObject({
      event: 'tag',
      ref: 'refs/tags/v1.2.3',
    });
  });

  it('a detached HEAD without a tag has no ref', () => {
    expect(localContext({ ...FACTS, branch: '' }, NOW)).toMatchObject({ event: 'manual', ref: '' });
  });

  it('without origin, names the repository after its directory', () => {
    const ctx = localContext({ ...FACTS, originUrl: '', originHead: '' }, NOW);
    expect(ctx.repository).toMatchObject({ name: 'app', url: '', defaultBranch: undefined });
  });

  it.each([
    ['git@github.com:octo/app.git', 'https://github.com/octo/app'],
    ['ssh://git@gitlab.example.com:2222/group/sub/app.git', 'https://gitlab.example.com/group/sub/app'],
    ['https://oauth2:secret-token@gitlab.example.com/group/app.git', 'https://gitlab.example.com/group/app'],
    ['https://github.com/octo/app', 'https://github.com/octo/app'],
    ['http://git.internal/app.git', 'http://git.internal/app'],
    ['/srv/git/app.git', ''],
    ['', ''],
  ])('web URL of %s', (origin, url) => {
    expect(webUrl(origin)).toBe(url);
  });
});
