// A whole run through the real entry points (the GitHub Action's main step, `docker-build build` in a GitLab job) with
// stand-in docker and trivy programs on PATH: what the job summary and the log say when the gate fails, when a step
// fails, and when an input is bad; and where the log puts the database's lines and the verdict.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { Runner } from '../../../src/exec/runner.js';
import { actionEntry, buildCommand, prepare } from '../../../src/main.js';
import { CleanupStack } from '../../../src/pipeline/cleanup.js';
import { createDockerEnv } from '../../../src/pipeline/docker-env.js';
import { runPipeline } from '../../../src/pipeline/run.js';
import { GitlabReporter } from '../../../src/platform/gitlab.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { writeStandIns, type StandInOptions } from '../helpers/stand-ins.js';

const PASSWORD = 's3cret-registry-password';

/** A workspace with a Dockerfile, stand-ins first on PATH, and the inputs every scenario shares. */
function workspace(options: StandInOptions = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'run-report-'));
  writeFileSync(join(cwd, 'Dockerfile'), 'FROM scratch\n');
  const standIns = writeStandIns(options);
  const env: Record<string, string> = {
    PATH: `${standIns.dir}:${process.env.PATH ?? ''}`,
    // Not the machine's own Docker config: its logins must not leak into the run.
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'run-report-docker-')),
    INPUT_IMAGES: 'r.example.com/app',
    INPUT_REGISTRY: 'r.example.com',
    INPUT_USERNAME: 'u',
    INPUT_PASSWORD: PASSWORD,
    INPUT_PLATFORMS: 'linux/amd64,linux/arm64',
    INPUT_TAGS: 'type=raw,value=1.0',
    'INPUT_DB-REPOSITORY': 'mirror.example.com/trivy-db:2',
    'INPUT_TRIVY-CACHE-DIR': join(cwd, 'trivy-cache'),
    'INPUT_REPORTS-DIR': join(cwd, 'reports'),
  };
  return { cwd, env, calls: () => readFileSync(standIns.calls, 'utf8') };
}

// @actions/core keeps the summary file's path from its first write, for the life of the process (one step, on a
// runner): every test here writes the same file, emptied before each run.
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'run-report-summary-')), 'summary');

/** The GitHub Action's main step in `cwd`: its exit code, what it wrote on stdout, and the job summary file. */
async function githubRun(cwd: string, env: Record<string, string>) {
  const runner = mkdtempSync(join(tmpdir(), 'run-report-runner-'));
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
  // @actions/core reads the runner's files from process.env, and the stand-ins are found on its PATH.
  for (const [name, value] of Object.entries(all)) vi.stubEnv(name, value);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const code = await actionEntry(process.env);
  spy.mockRestore();
  return { code, stdout: out.join(''), summary: readFileSync(SUMMARY, 'utf8') };
}

/** `docker-build build` in a GitLab job: its exit code and its log (stderr), escape codes shown as <ESC>. */
async function gitlabRun(cwd: string, env: Record<string, string>) {
  const all: Record<string, string> = {
    ...env,
    // not GitHub's, even when the tests themselves run in a GitHub job (the release workflow's, ci.yml's unit job)
    GITHUB_ACTIONS: '',
    GITLAB_CI: 'true',
    CI_JOB_ID: `${process.pid}${Date.now()}`,
    CI_COMMIT_SHA: 'b'.repeat(40),
    CI_COMMIT_REF_NAME: 'main',
    CI_COMMIT_BRANCH: 'main',
    CI_DEFAULT_BRANCH: 'main',
    CI_PIPELINE_SOURCE: 'push',
    CI_PROJECT_PATH: 'group/app',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/app',
  };
  for (const [name, value] of Object.entries(all)) vi.stubEnv(name, value);
  const err: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  const code = await buildCommand(process.env, cwd, () => undefined);
  spy.mockRestore();
  return { code, log: err.join('').replaceAll('\u001b', '<ESC>') };
}

/** The lines between a GitLab section's start and end (its id: `docker_build_` + the title's words). */
function section(log: string, id: string): string {
  const start = log.indexOf(`:docker_build_${id}[collapsed=true]`);
  const end = log.indexOf(`:docker_build_${id}\r`, start);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  expect(end, `end of section ${id}`).toBeGreaterThan(start);
  return log.slice(start, end);
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the GitHub job summary, whatever the end of the run', () => {
  it('a failed gate: the failing step and platform, the error, the verdict and its findings table, the times', async () => {
    const { cwd, env } = workspace();
    const { code, summary, stdout } = await githubRun(cwd, env);
    expect(code, stdout).toBe(1);
    expect(summary).toContain('### Failed in step: Scan gate');
    expect(summary).toMatch(
      /```\nthe scan gate failed on linux\/arm64: 2 finding\(s\) of severity CRITICAL, HIGH; no tag/,
    );
    expect(summary).toContain('#### Findings that fail the gate');
    expect(summary).toMatch(
      /\| linux\/arm64 \| Critical \| \[CVE-2019-14697\]\(.*\) \| musl 1\.1\.20-r4→1\.1\.20-r5 \|/,
    );
    expect(summary).toContain('**Failed**: 2 findings fail the gate on linux/arm64.');
    expect(summary).toMatch(/\| Scan gate \(failed\) \| \d+\.\d \|/);
    // the error comes first, then the tables
    expect(summary.indexOf('### Failed in step')).toBeLessThan(summary.indexOf('### Image scan (Trivy)'));
    expect(stdout).toMatch(/::error::the scan gate failed on linux\/arm64/);
  });

  it('a failed step: which one, and its error with the secrets masked', async () => {
    const { cwd, env } = workspace({ buildFails: `ERROR: push refused for u:${PASSWORD}` });
    const { code, summary, stdout } = await githubRun(cwd, env);
    expect(code, stdout).toBe(1);
    expect(summary).toContain('### Failed in step: Build');
    expect(summary).toMatch(
      /```\ndocker buildx build .* failed with exit code 1:\nERROR: push refused for u:\*\*\*\n```/,
    );
    expect(summary).toContain('Pushed: ');
    expect(summary).toMatch(/\| Build \(failed\) \| \d+\.\d \|/);
    expect(summary).not.toContain('Scan gate');
    // GitHub is told the password to mask it (::add-mask::), and nothing else has it.
    expect(summary + stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(PASSWORD);
    expect(stdout).toMatch(/::error::Build failed: docker buildx build .* failed with exit code 1/);
  });

  it('a bad input: the input error, and nothing ran', async () => {
    const { cwd, env, calls } = workspace();
    const { code, summary, stdout } = await githubRun(cwd, { ...env, INPUT_CACHE: 'gh' });
    expect(code, stdout).toBe(2);
    expect(summary).toBe(
      [
        '## docker-build',
        '',
        '### Failed before anything ran',
        '',
        '```',
        'Invalid cache "gh": expected one of auto, gha, registry, inline, local, none',
        '```',
        '',
        'Nothing was built or pushed.',
        // @actions/core ends what it adds with a line break of its own
        '',
        '',
      ].join('\n'),
    );
    expect(() => calls()).toThrow(/ENOENT/);
  });

  it('a bad secret input: its value is not repeated', async () => {
    const { cwd, env } = workspace();
    const { code, summary } = await githubRun(cwd, { ...env, 'INPUT_PASSWORD-VARIABLE': 'NO_SUCH_VARIABLE' });
    expect(code).toBe(2);
    expect(summary).toContain('Invalid password-variable "NO_SUCH_VARIABLE": no such variable in this job');
    expect(summary).not.toContain(PASSWORD);
  });
});

describe('a GitLab job log', () => {
  it('shows the verdict after the gate’s collapsed section, and the database in a section of its own', async () => {
    const { cwd, env } = workspace();
    const { code, log } = await gitlabRun(cwd, env);
    expect(code, log).toBe(1);
    const gate = section(log, 'scan_gate');
    expect(gate).toMatch(/scanning linux\/arm64: r\.example\.com\/app@sha256:2{64} \(vuln, secret\)/);
    expect(gate).toMatch(/linux\/arm64 scanned in \d+\.\d s: 2 findings \(2 CRITICAL\)/);
    expect(gate).toMatch(/linux\/amd64 scanned in \d+\.\d s: 4 findings \(4 MEDIUM\)/);
    expect(gate).not.toContain('Image scan (Trivy)');
    const after = log.slice(log.indexOf(':docker_build_scan_gate\r'));
    expect(after).toMatch(/\nImage scan \(Trivy\)\nPLATFORM +CRITICAL/);
    expect(after).toMatch(/linux\/arm64 +CRITICAL +CVE-2019-14697/);
    expect(after).toMatch(
      /FAILED: 2 findings fail the gate on linux\/arm64\.\n[\s\S]*error: the scan gate failed on linux\/arm64/,
    );
    // The database was fetched while the image was built; its lines wait for a section of their own.
    const db = section(log, 'trivy_database');
    expect(db).toContain('Trivy DB: downloading from mirror.example.com/trivy-db:2');
    expect(db).toMatch(
      /Trivy DB: downloaded from mirror\.example\.com\/trivy-db:2 in \d+\.\d s: \S+\/db\/trivy\.db is 2\.05 kB, updated 2026-03-02T06:00:00\.000Z/,
    );
    expect(section(log, 'build')).not.toContain('Trivy DB');
    expect(log.indexOf('docker_build_trivy_database')).toBeLessThan(log.indexOf('docker_build_scan_gate'));
  });

  it('a failed step is named in the error line, outside its section', async () => {
    const { cwd, env } = workspace({ buildFails: 'ERROR: failed to solve: exit code 2' });
    const { code, log } = await gitlabRun(cwd, env);
    expect(code).toBe(1);
    const after = log.slice(log.indexOf(':docker_build_build\r'));
    expect(after).toMatch(
      /error: Build failed: docker buildx build .* failed with exit code 1:\nERROR: failed to solve/,
    );
  });
});

describe('the gate waiting for the database', () => {
  it('says so at every interval, in the database’s section, before the download’s own lines', async () => {
    const release = join(mkdtempSync(join(tmpdir(), 'run-report-db-')), 'downloaded');
    const { cwd, env } = workspace({ dbWaitsFor: release });
    for (const [name, value] of Object.entries({ ...env, GITLAB_CI: 'true', CI_COMMIT_SHA: 'c'.repeat(40) })) {
      vi.stubEnv(name, value);
    }
    const mask = new SecretMask();
    const lines: string[] = [];
    const reporter = new GitlabReporter(mask, undefined, (text) => lines.push(text));
    const runner = new Runner(mask, (line) => {
      reporter.info(line);
    });
    const cleanup = new CleanupStack();
    const clock = new FakeClock(30_000);
    const prepared = await prepare(process.env, reporter, runner, mask, cwd);
    const run = runPipeline(
      { runner, reporter, cleanup, docker: createDockerEnv(process.env, cleanup, true, false), cwd, clock },
      prepared.plan,
      { logins: prepared.logins, buildSecrets: prepared.inputs.secrets },
      { toolCache: undefined, jobCache: undefined, trivyCacheDir: join(cwd, 'trivy-cache'), now: () => new Date() },
    );
    try {
      await seen(lines, 'docker_build_trivy_database[collapsed=true]');
      clock.advance(30_000);
      clock.advance(30_000);
      writeFileSync(release, '');
      expect((await run).failure).toMatch(/^the scan gate failed on linux\/arm64/);
    } finally {
      await cleanup.unwind(runner);
    }
    const db = section(lines.join(''), 'trivy_database');
    expect(db).toMatch(
      /Trivy DB: still being fetched, the gate has waited 30 s\nTrivy DB: still being fetched, the gate has waited 60 s\nTrivy DB: downloading from mirror/,
    );
  });
});

/** Resolves once `lines` holds a line containing `text`. */
async function seen(lines: readonly string[], text: string): Promise<void> {
  for (let i = 0; i < 500 && !lines.some((line) => line.includes(text)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(lines.join('')).toContain(text);
}
