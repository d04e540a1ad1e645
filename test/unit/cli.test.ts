import { describe, expect, it } from 'vitest';
import { runCli, USAGE } from '../../src/cli.js';
import pkg from '../../package.json' with { type: 'json' };

async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
  return { code, stdout, stderr };
}

describe('command line', () => {
  it.each([['--version'], ['-v']])('%s prints the package version', async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each([['--help'], ['-h']])('%s prints usage on stdout', async (flag) => {
    const result = await run([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(USAGE);
    expect(result.stdout).toMatch(/^Usage: docker-build/);
  });

  it('rejects an unknown option, naming it', async () => {
    const result = await run(['--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/unknown command or option "--frobnicate"/);
  });

  it('rejects arguments after --version', async () => {
    const result = await run(['--version', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--version takes no arguments, got "x"/);
  });

  it('without a command, prints usage on stderr and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no command given');
    expect(result.stderr).toContain(USAGE);
  });

  it('plan: a secret-envs variable that is not set is bad input (exit 2), found before git or docker runs', async () => {
    const result = await run(['plan', '--secret-envs', 'gh=E2E_UNSET_TOKEN'], { PATH: '/nonexistent' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Invalid secret-envs "gh=E2E_UNSET_TOKEN": E2E_UNSET_TOKEN is not set in this job/);
  });

  it('plan: an unclosed quote in secrets names the line, never the secret (exit 2)', async () => {
    const result = await run(['plan'], { PATH: '/nonexistent', INPUT_SECRETS: 'A=1\n"B=hunter2\nhunter3' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid secrets: the quote that opens on line 2 is never closed/);
    expect(result.stderr).not.toMatch(/hunter/);
  });

  it('promote and merge are commands of their own: the word sets the command, bad input exits 2 before git runs', async () => {
    const source = ['--source', 'registry.example.com/team/app:1.0'];
    expect((await run(['promote', ...source], { PATH: '/nonexistent' })).code).toBe(2);
    const byTag = await run(['plan', '--command', 'promote', ...source], { PATH: '/nonexistent' });
    expect(byTag.code).toBe(2);
    expect(byTag.stderr).toMatch(/Invalid source "registry.example.com\/team\/app:1.0": is an image by tag/);
    const env = { PATH: '/nonexistent', INPUT_REPORTS_DIR: '/nonexistent' };
    expect((await run(['merge'], env)).code).toBe(2);
    const empty = await run(['plan', '--command', 'merge'], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/Invalid sources "": merge needs the one-platform images by digest/);
  });

  it('promote takes no --command: the word is the command', async () => {
    const result = await run(['promote', '--command', 'merge']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('promote is the command: --command is for plan');
  });

  it('the usage names every command', () => {
    for (const command of ['build', 'promote', 'merge', 'plan', 'cleanup'])
      expect(USAGE).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
