// The check gate in the lab: BuildKit's Dockerfile checks on docker-build's own builder (BuildKit v0.32.2), through the
// three ways in: the local command, the GitHub Action (as the runner runs dist/, and through act) and the GitLab
// component (gitlab-ci-local). A Dockerfile under `# check=error=true` with violations fails before anything is
// pushed (the registry has no manifest for the repository); warnings pass, on their lines and in the reports. The
// scan is off: it is not the point here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import { runAction } from '../helpers/action.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { DIST, labInputs, registryTags } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

interface CodeQualityIssue {
  check_name: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

const codeQuality = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as CodeQualityIssue[];

/** The findings of the warnings-only Dockerfile, as every report must list them. */
const WARNINGS = [
  ['dockerfile/FromAsCasing', 4],
  ['dockerfile/JSONArgsRecommended', 9],
];

describe('the check gate: BuildKit’s Dockerfile checks before anything is built', () => {
  let repo = '';

  /** `docker-build build` in the repository: its result and outputs (printed as JSON on stdout). */
  async function build(
    image: string,
    file: string,
    extra: Record<string, string> = {},
    platforms = 'linux/amd64',
  ): Promise<{ result: RunResult; outputs: Record<string, string> }> {
    const result = await run('node', [DIST, 'build', '--images', image, '--file', file, '--platforms', platforms], {
      cwd: repo,
      env: {
        ...process.env,
        ...labInputs(lab),
        INPUT_TAGS: 'type=raw,value=checked',
        INPUT_SCAN: 'false',
        'INPUT_REPORTS-DIR': 'reports',
        ...extra,
      },
      timeoutMs: 600_000,
    });
    return { result, outputs: result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>) };
  }

  beforeAll(async () => {
    repo = await repoFromFixture('check-app');
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('# check=error=true with violations: fails naming the rules and lines; nothing pushed, no tag', async () => {
    const image = `${lab.registry}/e2e/${unique('check-strict')}`;
    // Two platforms: the checks run once for the Dockerfile, whatever the platforms.
    const { result, outputs } = await build(image, 'Dockerfile.strict', {}, 'linux/amd64,linux/arm64');
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toContain(
      'the check gate failed on Dockerfile.strict: FromAsCasing (line 5), JSONArgsRecommended (line 10): ' +
        'lint violation found for rules: FromAsCasing, JSONArgsRecommended; nothing was built or pushed',
    );
    // the annotations of a terminal: file:line before each error
    expect(result.stderr).toMatch(/Dockerfile\.strict:5: error: FromAsCasing: 'as' and 'FROM' keywords' casing/);
    expect(result.stderr).toMatch(/Dockerfile\.strict:10: error: JSONArgsRecommended: /);
    // the check ran, the build did not
    expect(result.stderr).toMatch(/docker buildx build --builder=\S+ --call=check,format=json/);
    expect(result.stderr).not.toMatch(/--metadata-file=/);
    expect(outputs['check-result']).toBe('failed');
    expect(outputs.digest).toBe('');
    expect(outputs.tags).toBe('');
    // the registry has nothing for the repository: no manifest was ever pushed to it
    expect(await registryTags(lab, image)).toEqual([]);
    const manifest = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-K', '-', manifestUrl(image)], {
      input: `user = "${lab.registryUser}:${lab.registryPassword}"\n`,
    });
    expect(manifest.stdout).toBe('404');
    const issues = codeQuality(join(repo, 'reports', 'gl-code-quality-report.json'));
    expect(issues.map((i) => [i.check_name, i.severity, i.location.lines.begin])).toEqual([
      ['dockerfile/FromAsCasing', 'major', 5],
      ['dockerfile/JSONArgsRecommended', 'major', 10],
    ]);
  });

  it('warnings only: passes, pushes and tags; the reports and the log list the warnings', async () => {
    const image = `${lab.registry}/e2e/${unique('check-warn')}`;
    const { result, outputs } = await build(image, 'Dockerfile');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toMatch(/Dockerfile:4: warning: FromAsCasing: /);
    expect(result.stderr).toMatch(/Dockerfile:9: warning: JSONArgsRecommended: /);
    expect(result.stderr).toContain('PASSED: 2 rule violations as warnings');
    expect(outputs['check-result']).toBe('passed');
    expect(await registryTags(lab, image)).toEqual(['checked']);
    const issues = codeQuality(outputs['check-codequality'] ?? '');
    expect(issues.map((i) => [i.check_name, i.location.lines.begin])).toEqual(WARNINGS);
    expect(issues.every((i) => i.severity === 'minor' && i.location.path === 'Dockerfile')).toBe(true);
    const sarif = JSON.parse(readFileSync(outputs['check-sarif'] ?? '', 'utf8')) as {
      runs: { results: { ruleId: string; level: string }[] }[];
    };
    expect(sarif.runs[0]?.results).toEqual([
      expect.objectContaining({ ruleId: 'FromAsCasing', level: 'warning' }),
      expect.objectContaining({ ruleId: 'JSONArgsRecommended', level: 'warning' }),
    ]);
    const junit = readFileSync(outputs['check-junit'] ?? '', 'utf8');
    expect(junit).toContain('tests="2" failures="0"');
    expect(junit).toContain('name="JSONArgsRecommended (line 9)"');
  });

  it('check-fail-on: warning makes the same warnings fail before any push', async () => {
    const image = `${lab.registry}/e2e/${unique('check-failon')}`;
    const { result, outputs } = await build(image, 'Dockerfile', { 'INPUT_CHECK-FAIL-ON': 'warning' });
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toContain(
      'the check gate failed on Dockerfile: FromAsCasing (line 4), JSONArgsRecommended (line 9): ' +
        '2 rule violations, and check-fail-on is warning; nothing was built or pushed',
    );
    expect(outputs['check-result']).toBe('failed');
    expect(await registryTags(lab, image)).toEqual([]);
  });

  it('check-fail-on: maybe is refused (exit code 2) before anything happens', async () => {
    const image = `${lab.registry}/e2e/${unique('check-bad')}`;
    const { result } = await build(image, 'Dockerfile', { 'INPUT_CHECK-FAIL-ON': 'maybe' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid check-fail-on "maybe": expected one of error, warning, none');
    expect(result.stderr).not.toContain('docker buildx');
  });

  it('an existing builder of the docker driver: without checks, a warning and a skipped gate; the build goes on', async () => {
    const image = `${lab.registry}/e2e/${unique('check-docker-driver')}`;
    const { result, outputs } = await build(image, 'Dockerfile', { INPUT_BUILDER: 'default', INPUT_PUSH: 'false' });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toMatch(/docker buildx build --builder=default --call=check,format=json/);
    // The lab's engine (Docker 20.10) has BuildKit 0.8, and no internet for buildx's fallback, the
    // docker/dockerfile:1.8 frontend image; an engine with checks (or a network to fetch the image) passes the gate.
    if (outputs['check-result'] === 'skipped') {
      expect(result.stderr).toMatch(
        /warning: the builder default has no Dockerfile checks \(they need BuildKit 0\.14 or later.*buildx said: .*unsupported request frontend\.lint/,
      );
    } else {
      expect(outputs['check-result']).toBe('passed');
    }
    expect(result.stderr).toMatch(/--output=type=cacheonly/);
  });

  it('as the GitHub Action: warning annotations on the Dockerfile’s lines, the outputs', async () => {
    const image = `${lab.registry}/e2e/${unique('check-action')}`;
    const { main, outputs, summary } = await runAction(
      repo,
      { name: 'push', ref: 'refs/heads/main' },
      {
        ...labInputs(lab),
        INPUT_IMAGES: image,
        INPUT_PLATFORMS: 'linux/amd64',
        INPUT_SCAN: 'false',
      },
    );
    expect(main.code, main.stdout.slice(-3000)).toBe(0);
    expect(main.stdout).toMatch(/^::warning file=Dockerfile,line=4::FromAsCasing: 'as' and 'FROM' keywords' casing/m);
    expect(main.stdout).toMatch(/^::warning file=Dockerfile,line=9::JSONArgsRecommended: /m);
    expect(outputs['check-result']).toBe('passed');
    expect(summary).toContain('### Dockerfile checks (BuildKit)');
    expect(summary).toMatch(
      /\| JSONArgsRecommended \| 9 \| .* \| \[docs\]\(https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\/json-args-recommended\/\) \|/,
    );
    expect(await registryTags(lab, image)).toEqual(['main']);
  });
});

describe('the check gate and a registry failing for a moment', () => {
  // Made in beforeAll: a run that filters these tests out leaves no config directory behind.
  let client: DockerClient;
  let proxy: FaultProxy;
  let repo = '';

  beforeAll(async () => {
    client = new DockerClient();
    proxy = await startFaultProxy(lab.home, lab.registry);
    // A prior login to the proxy, copied into the run's private config with no request: the first requests through the
    // proxy are the checks' own, resolving the base image.
    expect((await client.login(proxy.host, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('check-app');
  });

  afterAll(async () => {
    await proxy.close();
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  function build(image: string) {
    return run('node', [DIST, 'build', '--images', image, '--platforms', 'linux/amd64'], {
      cwd: repo,
      env: {
        ...process.env,
        ...labInputs(lab),
        DOCKER_CONFIG: client.configDir,
        INPUT_TAGS: 'type=raw,value=checked',
        INPUT_SCAN: 'false',
        'INPUT_BUILD-ARGS': `BASE=${lab.baseImage.replace(lab.registry, proxy.host)}`,
      },
      timeoutMs: 300_000,
    });
  }

  it('a 503 while the checks resolve the base image: retried with backoff, the run succeeds', async () => {
    const image = `${lab.registry}/e2e/${unique('check-503')}`;
    proxy.set('503', 2);
    const before = proxy.injected;
    const result = await build(image);
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(proxy.injected - before).toBe(2);
    expect(result.stderr).toMatch(/warning: checking the Dockerfile: attempt 1 of 4 failed \(.*\); retrying in 1s/);
    expect(await registryTags(lab, image)).toEqual(['checked']);
  });

  it('a registry that stays down: the checks fail after the retries, clearly; nothing pushed', async () => {
    const image = `${lab.registry}/e2e/${unique('check-down')}`;
    proxy.set('down');
    const result = await build(image);
    proxy.set('none');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /Check gate failed: checking the Dockerfile failed 4 times, the registry did not recover/,
    );
    expect(await registryTags(lab, image)).toEqual([]);
  });
});

describe('the check gate through act and gitlab-ci-local', () => {
  it('act: `uses: ./` passes with the warnings, annotated and in the reports', async () => {
    const image = `${lab.registry}/e2e/${unique('check-act')}`;
    const repo = await repoFromFixture(['check-app', 'act-check'], 'https://github.com/example/check-act.git', true);
    // The password in a file of its own directory, outside the repository act copies, removed right after the run.
    const secrets = mkdtempSync(join(tmpdir(), 'e2e-check-act-secrets-'));
    const secretFile = join(secrets, 'secrets.env');
    try {
      writeFileSync(secretFile, `REGISTRY_PASSWORD=${lab.registryPassword}\n`, { mode: 0o600 });
      let result: RunResult;
      try {
        result = await runAct(repo, '.github/workflows/image.yml', [
          ...labActVars(lab, image),
          `--secret-file=${secretFile}`,
        ]);
      } finally {
        rmSync(secrets, { recursive: true, force: true });
      }
      expect(result.code, result.stdout.slice(-4000)).toBe(0);
      expect(result.stdout).toContain('Job succeeded');
      expect(result.stdout).toMatch(/::warning file=Dockerfile,line=4::FromAsCasing: /);
      expect(result.stdout).toMatch(/::warning file=Dockerfile,line=9::JSONArgsRecommended: /);
      expect(result.stdout).toMatch(/\| output check-result=passed/);
      expect(result.stdout).toMatch(/\| output check-findings=2/);
      expect(result.stdout).toMatch(/\| output sarif-rules="ruleId": "FromAsCasing" "ruleId": "JSONArgsRecommended"/);
      expect(await registryTags(lab, image)).toEqual(['main']);
      expect(result.stdout).not.toContain(lab.registryPassword);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('gitlab-ci-local: the component passes with the warnings, the code quality artifact lists them', async () => {
    const image = `${lab.registry}/e2e/${unique('check-gitlab')}`;
    const repo = await repoFromFixture(['check-app', 'gitlab-check'], 'https://gitlab.example.com/lab/check.git', true);
    try {
      const result = await runGitlabCiLocal(repo, labGitlabVariables(lab, image));
      const log = result.stdout + result.stderr;
      expect(result.code, log.slice(-4000)).toBe(0);
      expect(log).toMatch(/PASS\s+docker-build/);
      expect(log).toMatch(/Dockerfile:4: warning: FromAsCasing: /);
      expect(log).toMatch(/Dockerfile:9: warning: JSONArgsRecommended: /);
      expect(log).toMatch(/> dotenv check=passed tags=\S+:main/);
      const issues = codeQuality(join(repo, 'docker-build-reports', 'gl-code-quality-report.json'));
      expect(issues.map((i) => [i.check_name, i.location.lines.begin])).toEqual(WARNINGS);
      expect(readFileSync(join(repo, 'docker-build-reports', 'dockerfile-check-junit.xml'), 'utf8')).toContain(
        'tests="2" failures="0"',
      );
      expect(await registryTags(lab, image)).toEqual(['main']);
      expect(log).not.toContain(lab.registryPassword);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

/** The registry API's URL of a repository's manifest by tag `checked`. */
function manifestUrl(image: string): string {
  const slash = image.indexOf('/');
  return `https://${image.slice(0, slash)}/v2/${image.slice(slash + 1)}/manifests/checked`;
}
