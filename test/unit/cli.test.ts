import { describe, expect, it } from 'vitest';
import { runCli, USAGE } from '../../src/cli.js';
import pkg from '../../package.json' with { type: 'json' };

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('command line', () => {
  it.each([['--version'], ['-v']])('%s prints the package version', (flag) => {
    expect(run([flag])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each([['--help'], ['-h']])('%s prints usage on stdout', (flag) => {
    const result = run([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(USAGE);
    expect(result.stdout).toMatch(/^Usage: docker-build/);
  });

  it('rejects an unknown option, naming it', () => {
    const result = run(['--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/unknown command or option "--frobnicate"/);
  });

  it('rejects arguments after --version', () => {
    const result = run(['--version', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--version takes no arguments, got "x"/);
  });

  it('without a command, prints usage on stderr and exits 2', () => {
    const result = run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no command given');
    expect(result.stderr).toContain(USAGE);
  });
});
