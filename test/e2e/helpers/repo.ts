import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { must } from './run.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

const ROOT = new URL('../../../', import.meta.url);

/**
 * Copies fixtures (later ones over earlier ones) into a fresh git repository (one commit on `main`), as a CI runner
 * would check it out; `withAction` adds this repository's action.yml, dist/ and templates/, for workflows that say
 * `uses: ./` and pipelines that include the component from the project itself.
 */
export async function repoFromFixture(
  fixtures: string | string[],
  origin?: string,
  withAction = false,
): Promise<string> {
  const names = typeof fixtures === 'string' ? [fixtures] : fixtures;
  const dir = mkdtempSync(join(tmpdir(), `e2e-${names.join('-')}-`));
  for (const name of names) cpSync(new URL(name, FIXTURES), dir, { recursive: true });
  if (withAction) {
    cpSync(new URL('action.yml', ROOT), join(dir, 'action.yml'));
    cpSync(new URL('dist', ROOT), join(dir, 'dist'), { recursive: true });
    cpSync(new URL('templates', ROOT), join(dir, 'templates'), { recursive: true });
  }
  const git = (...args: string[]) => must('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  if (origin !== undefined) await git('remote', 'add', 'origin', origin);
  await git('add', '--all');
  await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '--quiet', '-m', 'fixture');
  return dir;
}
