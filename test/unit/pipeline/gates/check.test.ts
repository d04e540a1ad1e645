// The check gate in a whole run through the GitHub Action's main step, with stand-in docker and trivy programs on PATH
// answering the checks with buildx's real reports (test/fixtures/check/): what fails before anything is built, the
// annotations on the Dockerfile's lines, the reports and outputs, and a builder without checks.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { actionEntry } from '../../../../src/main.js';
import { writeStandIns, type StandInOptions } from '../../helpers/stand-ins.js';

/** A workspace with a Dockerfile and the stand-ins; the scan is off unless a test wants it. */
function workspace(options: StandInOptions = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'check-gate-'));
  writeFileSync(join(cwd, 'Dockerfile'), 'FROM scratch\n');
  const standIns = writeStandIns(options);
  const env: Record<string, string> = {
    PATH: `${standIns.dir}:${process.env.PATH ?? ''}`,
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'check-gate-docker-')),
    INPUT_IMAGES: 'r.example.com/app',
    INPUT_REGISTRY: 'r.example.com',
    INPUT_USERNAME: 'u',
    INPUT_PASSWORD: 'p',
    INPUT_PLATFORMS: 'linux/amd64,linux/arm64',
    INPUT_TAGS: 'type=raw,value=1.0',
    INPUT_SCAN: 'false',
    'INPUT_REPORTS-DIR': join(cwd, 'reports'),
  };
  const calls = () => (existsSync(standIns.calls) ? readFileSync(standIns.calls, 'utf8') : '');
  return { cwd, env, calls };
}

const SUMMARY = join(mkdtempSync(join(tmpdir(), 'check-gate-summary-')), 'summary');

/** The main step in `cwd`: exit code, stdout (workflow commands), the job summary and the outputs file. */
async function githubRun(cwd: string, env: Record<string, string>) {
  const runner = mkdtempSync(join(tmpdir(), 'check-gate-runner-'));
  const files = {
    GITHUB_OUTPUT: join(runner, 'output'),
    GITHUB_STATE: join(runner, 'state'),
    GITHUB_STEP_SUMMARY: SUMMARY,
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  writeFileSync(join(runner, 'event.json'), '{}');
  const all: Record<string, string> = {
    ...env,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_EVENT_PATH: join(runner, 'event.json'),
    GITHUB_WORKSPACE: cwd,
    RUNNER_TEMP: runner,
    ...files,
  };
  for (const [name, value] of Object.entries(all)) vi.stubEnv(name, value);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const code = await actionEntry(process.env);
  spy.mockRestore();
  return {
    code,
    stdout: out.join(''),
    summary: readFileSync(SUMMARY, 'utf8'),
    outputs: readFileSync(files.GITHUB_OUTPUT, 'utf8'),
  };
}

/** An output's value in GITHUB_OUTPUT's heredoc format. */
function output(outputs: string, name: string): string | undefined {
  const match = new RegExp(`^${name}<<(\\S+)\\n([\\s\\S]*?)\\n\\1$`, 'm').exec(outputs);
  return match?.[2];
}

const built = (calls: string) => calls.split('\n').some((line) => line.includes('--metadata-file='));
const tagged = (calls: string) => calls.includes('buildx imagetools create');

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the check gate in a run', () => {
  it('# check=error=true with violations: fails before the build, naming the rules and lines; nothing built or pushed', async () => {
    const { cwd, env, calls } = workspace({ checkReport: 'error-directive.json' });
    const { code, stdout, summary, outputs } = await githubRun(cwd, env);
    expect(code, stdout).toBe(1);
    expect(calls()).toMatch(
      /docker buildx build --builder=\S+ --call=check,format=json --progress=plain --platform=linux\/amd64,linux\/arm64 -- \./,
    );
    expect(built(calls())).toBe(false);
    expect(tagged(calls())).toBe(false);
    // annotations on the Dockerfile's lines
    expect(stdout).toContain(
      "::error file=Dockerfile,line=2::FromAsCasing: 'as' and 'FROM' keywords' casing do not match (https://docs.docker.com/go/dockerfile/rule/from-as-casing/)",
    );
    expect(stdout).toMatch(/::error file=Dockerfile,line=4::ConsistentInstructionCasing: /);
    expect(stdout).toContain(
      '::error::the check gate failed on Dockerfile: FromAsCasing (line 2), ConsistentInstructionCasing (line 4): ' +
        'lint violation found for rules: FromAsCasing, ConsistentInstructionCasing; nothing was built or pushed',
    );
    expect(summary).toContain('### Failed in step: Check gate');
    expect(summary).toContain('### Dockerfile checks (BuildKit)');
    expect(output(outputs, 'check-result')).toBe('failed');
    expect(output(outputs, 'tags')).toBe('');
    expect(output(outputs, 'digest')).toBe('');
    const codequality = JSON.parse(
      readFileSync(join(cwd, 'reports', 'gl-code-quality-report.json'), 'utf8'),
    ) as unknown[];
    expect(codequality).toHaveLength(2);
  });

  it('warnings only: passes with warnings on their lines, builds, tags, and writes the reports', async () => {
    const { cwd, env, calls } = workspace({ checkReport: 'warnings.json' });
    const { code, stdout, outputs } = await githubRun(cwd, env);
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/::warning file=Dockerfile,line=1::FromAsCasing: /);
    expect(stdout).toMatch(/::warning file=Dockerfile,line=3::ConsistentInstructionCasing: /);
    expect(stdout).toMatch(/::warning file=Dockerfile,line=5::JSONArgsRecommended: /);
    expect(stdout).not.toContain('::error');
    // the check before the build
    const lines = calls().split('\n');
    expect(lines.findIndex((l) => l.includes('--call=check'))).toBeLessThan(
      lines.findIndex((l) => l.includes('--metadata-file=')),
    );
    expect(tagged(calls())).toBe(true);
    expect(output(outputs, 'check-result')).toBe('passed');
    const reports = join(cwd, 'reports');
    expect(output(outputs, 'check-sarif')).toBe(join(reports, 'dockerfile-check.sarif'));
    expect(output(outputs, 'check-codequality')).toBe(join(reports, 'gl-code-quality-report.json'));
    expect(output(outputs, 'check-junit')).toBe(join(reports, 'dockerfile-check-junit.xml'));
    const sarif = JSON.parse(readFileSync(join(reports, 'dockerfile-check.sarif'), 'utf8')) as {
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toEqual([
      'FromAsCasing',
      'ConsistentInstructionCasing',
      'JSONArgsRecommended',
    ]);
    expect(readFileSync(join(reports, 'dockerfile-check-junit.xml'), 'utf8')).toContain('tests="3" failures="0"');
  });

  it('check-fail-on: warning makes the warnings fail before the build', async () => {
    const { cwd, env, calls } = workspace({ checkReport: 'warnings.json' });
    const { code, stdout } = await githubRun(cwd, { ...env, 'INPUT_CHECK-FAIL-ON': 'warning' });
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/::error file=Dockerfile,line=5::JSONArgsRecommended: /);
    expect(stdout).toContain('3 rule violations, and check-fail-on is warning; nothing was built or pushed');
    expect(built(calls())).toBe(false);
  });

  it('check-fail-on: none reports a parse error and leaves it to the build', async () => {
    const { cwd, env, calls } = workspace({ checkReport: 'parse-error.json' });
    const { code, stdout, outputs } = await githubRun(cwd, { ...env, 'INPUT_CHECK-FAIL-ON': 'none' });
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/::warning file=Dockerfile,line=2::dockerfile parse error on line 2/);
    expect(built(calls())).toBe(true);
    expect(output(outputs, 'check-result')).toBe('passed');
  });

  it('a builder without checks: a warning, the gate skipped, the build goes on', async () => {
    const { cwd, env, calls } = workspace({
      checkFails:
        'ERROR: failed to build: failed to solve: rpc error: code = Unknown desc = failed to solve with frontend dockerfile.v0: unsupported request frontend.lint',
    });
    const { code, stdout, outputs, summary } = await githubRun(cwd, env);
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(
      /::warning::the builder \S+ has no Dockerfile checks \(they need BuildKit 0\.14 .*buildx said: ERROR: failed to build: .*unsupported request frontend\.lint/,
    );
    expect(output(outputs, 'check-result')).toBe('skipped');
    expect(summary).toContain('**Skipped**');
    expect(tagged(calls())).toBe(true);
  });

  it('a registry failing for a moment while the checks resolve the base image: retried, as the build is', async () => {
    const { cwd, env, calls } = workspace({ checkTransient: 1, checkReport: 'warnings.json' });
    const { code, stdout, outputs } = await githubRun(cwd, env);
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(
      /::warning::checking the Dockerfile: attempt 1 of 4 failed \(.*503 Service Unavailable\); retrying in 1s/,
    );
    expect(calls().match(/--call=check/g)).toHaveLength(2);
    expect(output(outputs, 'check-result')).toBe('passed');
  });

  it('a Dockerfile that does not parse is judged at once, never retried, whatever its words', async () => {
    const { cwd, env, calls } = workspace({ checkReport: 'parse-error.json' });
    const { code, stdout } = await githubRun(cwd, env);
    expect(code, stdout).toBe(1);
    expect(calls().match(/--call=check/g)).toHaveLength(1);
    expect(stdout).toContain(
      '::error file=Dockerfile,line=2::dockerfile parse error on line 2: unknown instruction: RUNN',
    );
    expect(stdout).toContain(
      '::error::the check gate failed on Dockerfile: dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?); nothing was built or pushed',
    );
  });

  it('buildx failing otherwise fails the run, with its error', async () => {
    const { cwd, env, calls } = workspace({ checkFails: 'ERROR: no builder "x" found' });
    const { code, stdout } = await githubRun(cwd, env);
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(
      /::error::Check gate failed: docker buildx build .*--call=check.* failed with exit code 1:%0AERROR: no builder/,
    );
    expect(built(calls())).toBe(false);
  });

  it('check: false runs no check', async () => {
    const { cwd, env, calls } = workspace({ checkReport: 'error-directive.json' });
    const { code, outputs } = await githubRun(cwd, { ...env, INPUT_CHECK: 'false' });
    expect(code).toBe(0);
    expect(calls()).not.toContain('--call=check');
    expect(output(outputs, 'check-result')).toBe('skipped');
  });

  it('check-fail-on: maybe is a bad input (exit code 2) before anything runs', async () => {
    const { cwd, env, calls } = workspace();
    const { code, summary } = await githubRun(cwd, { ...env, 'INPUT_CHECK-FAIL-ON': 'maybe' });
    expect(code).toBe(2);
    expect(summary).toContain('Invalid check-fail-on "maybe": expected one of error, warning, none');
    expect(calls()).toBe('');
  });
});
