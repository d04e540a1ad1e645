import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { must } from './run.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);

const ROOT = new URL('../../../', import.meta.url);

/**
 * Copies a fixture into a fresh git repository (one commit on `main`), as a CI runner would check it out; `withAction`
 * adds this repository's action.yml and dist/, for workflows that say `uses: ./`.
 */
export async function repoFromFixture(fixture: string, origin?: string, withAction = false): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `e2e-${fixture}-`));
  cpSync(new URL(fixture, FIXTURES), dir, { recursive: true });
  if (withAction) {
    cpSync(new URL('action.yml', ROOT), join(dir, 'action.yml'));
    cpSync(new URL('dist', ROOT), join(dir, 'dist'), { recursive: true });
  }
  const git = (...args: string[]) => must('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  if (origin !== undefined) await git('remote', 'add', 'origin', origin);
  await git('add', '--all');
  await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '--quiet', '-m', 'fixture');
  return dir;
}
