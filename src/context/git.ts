/** Reads what the local command needs to know from git (the only program `plan` runs, and only locally). */
import type { Runner } from '../exec/runner.js';
import type { GitFacts } from './local.js';

export async function readGitFacts(runner: Runner, cwd: string): Promise<GitFacts> {
  const git = async (...args: string[]): Promise<string> => {
    const result = await runner.run('git', args, { cwd, quiet: true, allowFailure: true });
    return result.code === 0 ? result.stdout.trim() : '';
  };
  const topLevel = await git('rev-parse', '--show-toplevel');
  if (topLevel === '') {
    return { sha: '', branch: '', tag: '', commitDate: '', originUrl: '', originHead: '', topLevel: cwd };
  }
  const [sha, branch, tags, commitDate, originUrl, originHead] = await Promise.all([
    git('rev-parse', 'HEAD'),
    git('symbolic-ref', '--quiet', '--short', 'HEAD'),
    git('tag', '--points-at', 'HEAD', '--sort=-version:refname'),
    git('log', '-1', '--format=%cI'),
    git('remote', 'get-url', 'origin'),
    git('symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'),
  ]);
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
