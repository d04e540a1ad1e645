/** Reads what the local command needs to know from git (the only program `plan` runs, and only locally). */
import type { Runner } from '../exec/runner.js';
import type { GitFacts } from './local.js';

export async function readGitFacts(runner: Runner, cwd: string): Promise<GitFacts> {
  const git = async (...args: string[]): Promise<string> => {
    const result = await runner.run('git', args, { cwd, quiet: true, allowFailure: true });
    return result.code === 0 ? result.stdout.trim() : '';
  };
  // All at once: outside a repository each simply fails, and `plan` starts in the time of the slowest, not the sum.
  const [topLevel, branch, head, tags, originUrl, originHead] = await Promise.all([
    git('rev-parse', '--show-toplevel'),
    git('symbolic-ref', '--quiet', '--short', 'HEAD'),
    git('log', '-1', '--format=%H%n%cI'),
    git('tag', '--points-at', 'HEAD', '--sort=-version:refname'),
    git('remote', 'get-url', 'origin'),
    git('symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'),
  ]);
  if (topLevel === '') {
    return { sha: '', branch: '', tag: '', commitDate: '', originUrl: '', originHead: '', topLevel: cwd };
  }
  const [sha = '', commitDate = ''] = head.split('\n');
  return {
    sha,
    branch,
    tag: tags.split('\n')[0] ?? '',
    commitDate,
    originUrl,
    originHead: originHead.replace(/^origin\//, ''),
    topLevel,
  };
}
