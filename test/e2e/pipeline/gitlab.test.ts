// The GitLab component through gitlab-ci-local (shell executor): the component included by $CI_COMMIT_SHA from the
// project itself, the lab registry standing in for $CI_REGISTRY, and a later job that reads the dotenv outputs.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining, leftoverBuilders } from '../helpers/leftovers.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, type RunResult } from '../helpers/run.js';
import { fakeAwsKeyId } from '../helpers/secrets.js';

const lab = inject('lab');
const ORIGIN = 'https://gitlab.example.com/lab/app.git';

describe('the GitLab component through gitlab-ci-local', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('gitlab')}`;
  let repo = '';

  /** One pipeline; `variables` are what GitLab would set for its kind (merge request, tag). */
  async function pipeline(variables: Record<string, string> = {}): Promise<RunResult> {
    const result = await runGitlabCiLocal(repo, { ...labGitlabVariables(lab, image), ...variables });
    // The job log is both streams, as GitLab shows it.
    return { ...result, stdout: result.stdout + result.stderr };
  }

  const dotenvLine = (log: string) => /> dotenv digest=(\S*) image=(\S*) version=(\S*) scan=(\S*) tags=(\S*)/.exec(log);

  async function digestOf(ref: string): Promise<string | undefined> {
    const result = await client.docker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}']);
    return result.code === 0 ? (JSON.parse(result.stdout) as { digest: string }).digest : undefined;
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture(['hello-app', 'gitlab-pipeline'], ORIGIN, true);
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('a branch pipeline on the default branch: pushed, tagged, cache written; a later job pulls the dotenv digest', async () => {
    const result = await pipeline();
    expect(result.code, result.stdout.slice(-4000)).toBe(0);
    expect(result.stdout).toMatch(/PASS\s+docker-build/);
    expect(result.stdout).toMatch(/PASS\s+pull-by-digest/);
    const dotenv = dotenvLine(result.stdout);
    const [, digest, pulled, version, scan, tags] = dotenv ?? [];
    expect(version).toBe('main');
    expect(scan).toBe('passed');
    expect(pulled).toBe(`${image}@${digest ?? ''}`);
    expect(await digestOf(`${image}:main`)).toBe(digest);
    expect(tags?.split(',')).toEqual([
      `${image}:main`,
      expect.stringMatching(new RegExp(`^${image}:sha-[0-9a-f]{8}$`)),
    ]);
    expect(result.stdout).toContain(`pulled ${image}@${digest ?? ''}`);
    expect(result.stdout).toContain('writes amd64-main');
    expect(await digestOf(`${image}/cache:amd64-main`)).toBeDefined();
    // the job's artifacts: the reports GitLab shows
    for (const report of ['gl-container-scanning-report.json', 'trivy-junit.xml', 'trivy.sarif']) {
      expect(readFileSync(join(repo, 'docker-build-reports', report), 'utf8').length).toBeGreaterThan(10);
    }
    expect(result.stdout).not.toContain(lab.registryPassword);
  });

  it('a merge request pipeline: built and scanned, mr-N planned, nothing pushed', async () => {
    const result = await pipeline({
      CI_PIPELINE_SOURCE: 'merge_request_event',
      // GitLab sets no branch in a merge request pipeline
      CI_COMMIT_BRANCH: '',
      CI_MERGE_REQUEST_IID: '7',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/login',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '1',
      CI_MERGE_REQUEST_PROJECT_ID: '1',
      CI_PROJECT_ID: '1',
    });
    expect(result.code, result.stdout.slice(-4000)).toBe(0);
    expect(result.stdout).toContain('push is auto and this is a pull or merge request');
    expect(result.stdout).toMatch(/scanning linux\/amd64: \S*image-linux-amd64/);
    expect(result.stdout).not.toMatch(/PASS\s+pull-by-digest/);
    expect(await digestOf(`${image}:mr-7`)).toBeUndefined();
    expect(readFileSync(join(repo, 'docker-build.env'), 'utf8')).toContain('DOCKER_BUILD_VERSION=mr-7\n');
  });

  it('a tag pipeline v1.2.3: the semver tags', async () => {
    await must('git', ['tag', 'v1.2.3'], { cwd: repo });
    const result = await pipeline({ CI_COMMIT_TAG: 'v1.2.3', CI_COMMIT_REF_NAME: 'v1.2.3', CI_COMMIT_BRANCH: '' });
    expect(result.code, result.stdout.slice(-4000)).toBe(0);
    const [, digest, , version] = dotenvLine(result.stdout) ?? [];
    expect(version).toBe('1.2.3');
    expect(await digestOf(`${image}:1.2.3`)).toBe(digest);
    expect(await digestOf(`${image}:1.2`)).toBe(digest);
  });

  it('a gate failure: the job fails, no tag moves, the later job does not run', async () => {
    const before = await digestOf(`${image}:main`);
    writeFileSync(join(repo, 'deploy.env'), `export AWS_ACCESS_KEY_ID=${fakeAwsKeyId()}\n`);
    writeFileSync(
      join(repo, 'Dockerfile'),
      ['ARG BASE', 'FROM ${BASE}', 'COPY deploy.env /app/deploy.env', ''].join('\n'),
    );
    await must('git', ['add', '--all'], { cwd: repo });
    await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'key'], {
      cwd: repo,
    });
    const result = await pipeline();
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/FAIL\s+docker-build/);
    expect(result.stdout).toMatch(/the scan gate failed on linux\/amd64/);
    // The job log (gitlab-ci-local shows a section as `ID_started` ... `ID took Nms`): the scan's progress inside the
    // gate's section, the verdict and the findings after it, where a collapsed log still shows them.
    const log = result.stdout;
    const start = log.indexOf('docker_build_scan_gate_started');
    const end = log.search(/docker_build_scan_gate\S* took \d+ms/);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const gate = log.slice(start, end);
    expect(gate).toMatch(/scanning linux\/amd64: \S+@sha256:[0-9a-f]{64} \(vuln, secret\)/);
    expect(gate).toMatch(/linux\/amd64 scanned in \d+\.\d s: 1 finding \(1 CRITICAL\)/);
    expect(gate).not.toContain('Image scan (Trivy)');
    expect(log.slice(end)).toMatch(
      /Image scan \(Trivy\)[\s\S]*aws-access-key-id[\s\S]*FAILED: 1 finding fails the gate/,
    );
    expect(log.indexOf('docker_build_trivy_database_started')).toBeGreaterThan(
      log.indexOf('docker_build_build_started'),
    );
    expect(result.stdout).not.toMatch(/PASS\s+pull-by-digest/);
    expect(await digestOf(`${image}:main`)).toBe(before);
  });

  it('leaves no Docker config with the password on disk and no builder behind', async () => {
    expect(filesContaining(credentialLocations(repo), lab.registryPassword, [lab.home, client.configDir])).toEqual([]);
    expect(await leftoverBuilders()).toEqual([]);
  });
});
