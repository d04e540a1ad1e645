// docker-build's own releases: scripts/release-check.mjs run as the release workflow runs it, in a throwaway git
// repository with an origin/main (git only, no network), and the workflow's shape: what triggers it, what each job may
// do, and every action pinned by commit SHA.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/release-check.mjs');

const CHANGELOG = (...versions: string[]): string =>
  [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '- Something not released yet.',
    '',
    ...versions.flatMap((v) => [`## [${v}] - 2026-12-03`, '', `### Fixed`, '', `- What ${v} fixes.`, '']),
  ].join('\n');

describe('scripts/release-check.mjs', () => {
  let repo = '';
  const git = (...args: string[]): string => {
    const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  /** A commit whose package.json and CHANGELOG.md say `version` (and the CHANGELOG's sections), returning its SHA. */
  const commit = (version: string, sections = [version]): string => {
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: '@docker-build/cli', version }));
    writeFileSync(join(repo, 'CHANGELOG.md'), CHANGELOG(...sections));
    git('add', '--all');
    git('-c', 'user.name=unit', '-c', 'user.email=unit@example.invalid', 'commit', '-qm', version);
    return git('rev-parse', 'HEAD');
  };
  const check = (tag: string, notes?: string, started?: string) => {
    const output = join(repo, '.output');
    writeFileSync(output, '');
    const args = notes === undefined ? [SCRIPT, tag] : [SCRIPT, tag, '--notes', notes];
    const result = spawnSync(process.execPath, args, {
      cwd: repo,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...(started === undefined ? {} : { GITHUB_SHA: started }) },
    });
    const outputs = Object.fromEntries(
      readFileSync(output, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('=', 2)),
    ) as Record<string, string>;
    return { code: result.status, stderr: result.stderr, outputs };
  };
  /** main as the release workflow's clone has it: origin/main. */
  const pushMain = () => git('update-ref', 'refs/remotes/origin/main', 'HEAD');

  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'unit-release-'));
    git('init', '-q', '-b', 'main');
  });
  afterEach(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('a tag X.Y.Z on main: its version, major tag, commit and CHANGELOG section', () => {
    commit('1.1.0', ['1.1.0']);
    git('tag', '1.1.0');
    const sha = commit('1.2.3', ['1.2.3', '1.1.0']);
    git('tag', '-a', '-m', 'docker-build 1.2.3', '1.2.3');
    pushMain();
    const notes = join(repo, '.notes.md');
    const result = check('1.2.3', notes);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({
      version: '1.2.3',
      major: 'v1',
      commit: sha,
      'move-major': 'true',
      latest: 'true',
    });
    expect(readFileSync(notes, 'utf8')).toBe('### Fixed\n\n- What 1.2.3 fixes.\n');
  });

  it('a fix to an older minor is released, but leaves the major tag and "latest" with the newer release', () => {
    commit('1.2.3');
    git('tag', '1.2.3');
    git('branch', 'release-1.2');
    commit('2.0.0');
    git('tag', '2.0.0');
    git('checkout', '-q', 'release-1.2');
    commit('1.3.0');
    git('tag', '1.3.0');
    git('checkout', '-q', '-b', 'fix', '1.2.3');
    commit('1.2.4');
    git('tag', '1.2.4');
    // main has all of them (merged back), as a release branch's fixes are
    git('checkout', '-q', 'main');
    git(
      '-c',
      'user.name=unit',
      '-c',
      'user.email=unit@example.invalid',
      'merge',
      '-q',
      '-s',
      'ours',
      'fix',
      'release-1.2',
    );
    pushMain();
    expect(check('1.2.4').outputs).toMatchObject({ major: 'v1', 'move-major': 'false', latest: 'false' });
    expect(check('1.3.0').outputs).toMatchObject({ major: 'v1', 'move-major': 'true', latest: 'false' });
    expect(check('2.0.0').outputs).toMatchObject({ major: 'v2', 'move-major': 'true', latest: 'true' });
  });

  it.each([
    ['v1.2.3', /Release tag "v1\.2\.3" refused: expected X\.Y\.Z.*without a v \(1\.2\.3\)/],
    ['1.2', /Release tag "1\.2" refused: expected X\.Y\.Z, a semantic version such as 1\.2\.3\.$/m],
    ['1.2.3-rc.1', /Release tag "1\.2\.3-rc\.1" refused: expected X\.Y\.Z/],
    ['01.2.3', /Release tag "01\.2\.3" refused: expected X\.Y\.Z/],
    ['1.2.3 ', /Release tag "1\.2\.3 " refused: expected X\.Y\.Z/],
  ])('refuses the tag %j, saying what a release tag is', (tag, message) => {
    commit('1.2.3');
    git('tag', tag.trim());
    pushMain();
    const result = check(tag);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.outputs).toEqual({});
  });

  it('refuses a tag whose commit is not on main', () => {
    commit('1.2.2');
    pushMain();
    git('checkout', '-q', '-b', 'topic');
    const sha = commit('1.2.3');
    git('tag', '1.2.3');
    const result = check('1.2.3');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Release tag "1.2.3" refused: its commit ${sha} is not on main (origin/main)`);
    expect(result.outputs).toEqual({});
  });

  it('refuses a tag moved since the run started: the commit released is the one checked and attested', () => {
    const first = commit('1.2.3');
    git('tag', '-a', '-m', '1.2.3', '1.2.3');
    const tagObject = git('rev-parse', 'refs/tags/1.2.3');
    pushMain();
    expect(check('1.2.3', undefined, first).code).toBe(0);
    // GITHUB_SHA may name an annotated tag's object: it is the commit it points to that counts
    expect(check('1.2.3', undefined, tagObject).code).toBe(0);
    const second = commit('1.2.3');
    git('tag', '--force', '1.2.3');
    pushMain();
    const result = check('1.2.3', undefined, first);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Release tag "1.2.3" refused: it names ${second} now, but this run was started for ${first}`,
    );
    expect(result.outputs).toEqual({});
  });

  it('refuses in a clone without origin/main, rather than trusting the tag', () => {
    commit('1.2.3');
    git('tag', '1.2.3');
    expect(check('1.2.3').stderr).toContain('origin/main is unknown here');
  });

  it('refuses a tag that does not exist', () => {
    commit('1.2.3');
    pushMain();
    expect(check('1.2.3').stderr).toContain('Release tag "1.2.3" refused: no such tag here');
  });

  it('refuses a tag whose package.json says another version (what dist/index.js --version prints)', () => {
    const sha = commit('1.2.2', ['1.2.3']);
    git('tag', '1.2.3');
    pushMain();
    const result = check('1.2.3');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Release tag "1.2.3" refused: package.json at ${sha} has version "1.2.2"`);
  });

  it('refuses a tag whose CHANGELOG.md has no section for it: the notes', () => {
    commit('1.2.3', ['1.2.2']);
    git('tag', '1.2.3');
    pushMain();
    const notes = join(repo, '.notes.md');
    const result = check('1.2.3', notes);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Release tag "1\.2\.3" refused: CHANGELOG\.md at \w+ has no section "## \[1\.2\.3\]"/,
    );
    expect(spawnSync('test', ['-e', notes]).status).toBe(1);
  });
});

describe('.github/workflows/release.yml', () => {
  interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
  }
  interface Job {
    needs?: string;
    permissions?: Record<string, string>;
    steps: Step[];
  }
  const text = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8');
  const workflow = parse(text) as {
    on: { push: { tags: string[]; branches?: unknown } };
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
  };

  it('runs on tags only, grants nothing by default, and each job only what its steps need', () => {
    expect(Object.keys(workflow.on)).toEqual(['push']);
    expect(Object.keys(workflow.on.push)).toEqual(['tags']);
    expect(workflow.permissions).toEqual({});
    const permissions = Object.fromEntries(Object.entries(workflow.jobs).map(([id, job]) => [id, job.permissions]));
    expect(permissions).toEqual({
      check: { contents: 'read' },
      attest: { contents: 'read', 'id-token': 'write', attestations: 'write' },
      publish: { contents: 'write' },
    });
  });

  // GitHub's filter patterns, as far as these use them: `*` is any run of characters but `/`, `[0-9]` one digit.
  it('starts on release tags and on v-prefixed ones (to refuse them), never on the major tag it moves', () => {
    const patterns = workflow.on.push.tags.map(
      (glob) => new RegExp(`^${glob.replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`),
    );
    const starts = (tag: string) => patterns.some((pattern) => pattern.test(tag));
    expect(['1.2.3', '10.0.0', 'v1.2.3', '1.2.3-rc.1'].filter(starts)).toHaveLength(4);
    expect(['v1', 'v12', 'latest', 'release-1'].filter(starts)).toEqual([]);
  });

  it('publishes nothing before the checks: attest after check, the release and the major tag after attest', () => {
    expect(workflow.jobs.attest?.needs).toBe('check');
    expect(workflow.jobs.publish?.needs).toBe('attest');
    const check = (workflow.jobs.check?.steps ?? []).map((step) => step.run ?? step.uses ?? '');
    const order = ['scripts/release-check.mjs', 'npm ci', 'npm run build', 'npm run test:unit'].map((what) =>
      check.findIndex((step) => step.includes(what)),
    );
    expect(
      order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0))),
      order.join(','),
    ).toBe(true);
    expect(check.join('\n')).toContain('git diff --exit-code --stat -- dist/');
    const attest = workflow.jobs.attest?.steps.find((step) => step.uses?.startsWith('actions/attest-build-provenance'));
    expect(attest?.with).toEqual({ 'subject-path': 'dist/*' });
  });

  it('pins every action by its full commit SHA, the version in a comment', () => {
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].map((m) => `${m[1] ?? ''}${m[2] ?? ''}`);
    expect(uses.length).toBeGreaterThanOrEqual(5);
    for (const use of uses) expect(use).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it('never expands an expression inside a script: values reach the shell through env', () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) expect(step.run ?? '').not.toContain('${{');
    }
  });

  it('gives credentials to no clone but the one that pushes the major tag', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
      expect(checkout?.with?.['persist-credentials'], id).toBe(id === 'publish' ? undefined : false);
    }
  });
});

describe(".gitlab-ci.yml's release", () => {
  interface GitlabJob {
    stage: string;
    rules: unknown[];
    needs?: unknown;
    script: string[];
  }
  const pipeline = parse(readFileSync(join(ROOT, '.gitlab-ci.yml'), 'utf8')) as Record<string, unknown> & {
    stages: string[];
  };
  const release = pipeline.release as GitlabJob;
  const check = pipeline['check-runner-image'] as GitlabJob;

  it('publishes a version only after the check that its runner image exists, on the same release tags', () => {
    expect(check.rules).toEqual(release.rules);
    expect(pipeline.stages.indexOf(check.stage)).toBeGreaterThanOrEqual(0);
    expect(pipeline.stages.indexOf(check.stage)).toBeLessThan(pipeline.stages.indexOf(release.stage));
    // `needs` would start the release as soon as what it names is done, whatever the earlier stages did
    expect(release.needs).toBeUndefined();
  });

  it('checks the image the component defaults to, runner:<sha>, and that the version tag names the same one', () => {
    const script = check.script.join('\n');
    expect(script).toContain('runner="$CI_REGISTRY_IMAGE/runner"');
    expect(script).toContain('digest "$runner:$CI_COMMIT_SHA"');
    expect(script).toContain('digest "$runner:$CI_COMMIT_TAG"');
    expect(script).toContain('for platform in linux/amd64 linux/arm64');
  });
});
