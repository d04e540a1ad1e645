/**
 * The local command: what plain git says about the working tree, as one CiContext. The facts are read by
 * readGitFacts (src/context/git.ts); this mapping is pure.
 */
import type { CiContext } from './types.js';

export interface GitFacts {
  sha: string;
  /** The checked-out branch, or '' when HEAD is detached. */
  branch: string;
  /** A tag pointing at HEAD, or ''. */
  tag: string;
  /** ISO 8601 committer date of HEAD, or ''. */
  commitDate: string;
  /** origin's URL as git has it (https, ssh or scp-like), or ''. */
  originUrl: string;
  /** origin's default branch (refs/remotes/origin/HEAD), or ''. */
  originHead: string;
  /** The top-level directory of the working tree, for a repository name when there is no origin. */
  topLevel: string;
}

/**
 * The web URL of a git remote: `git@host:group/app.git`, `ssh://git@host:22/group/app.git` and
 * `https://user:token@host/group/app.git` all give `https://host/group/app` (credentials dropped); a local path gives ''.
 */
export function webUrl(originUrl: string): string {
  const url = originUrl.trim();
  if (url === '') return '';
  const scp = /^[^@/]+@([^:/]+):(.+)$/.exec(url);
  const path = (scp ? `https://${scp[1] ?? ''}/${scp[2] ?? ''}` : url)
    // An SSH port is not the web server's.
    .replace(/^(?:ssh|git):\/\/(?:[^@/]*@)?([^/:]+)(?::\d+)?/, 'https://$1')
    .replace(/^(https?):\/\/(?:[^@/]*@)?/, '$1://')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  return /^https?:\/\//.test(path) ? path : '';
}

export function localContext(facts: GitFacts, fallbackDate: Date): CiContext {
  const url = webUrl(facts.originUrl);
  const name = (url || facts.topLevel).split('/').filter(Boolean).pop() ?? '';
  const event = facts.tag !== '' && facts.branch === '' ? 'tag' : facts.branch !== '' ? 'push' : 'manual';
  const timestamp = Date.parse(facts.commitDate);
  return {
    platform: 'local',
    event,
    eventName: 'local',
    ref: event === 'tag' ? `refs/tags/${facts.tag}` : facts.branch === '' ? '' : `refs/heads/${facts.branch}`,
    sha: facts.sha,
    pullRequest: undefined,
    baseRef: '',
    repository: {
      name,
      url,
      description: '',
      license: undefined,
      defaultBranch: facts.originHead === '' ? undefined : facts.originHead,
    },
    commitDate: Number.isNaN(timestamp) ? fallbackDate : new Date(timestamp),
  };
}
