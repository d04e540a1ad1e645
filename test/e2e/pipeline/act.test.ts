import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining, leftoverBuilders } from '../helpers/leftovers.js';
import { parseInspect, type ImageFacts } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { labActVars, runAct } from '../helpers/act.js';
import { ARM64_ONLY_SECRET_DOCKERFILE, fakeAwsKeyId } from '../helpers/secrets.js';
import { must, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

/** The lines the workflow's last step prints: `output NAME=VALUE`. */
function outputsOf(log: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of log.matchAll(/\| output ([a-z-]+)=(.*)$/gm)) outputs[match[1] ?? ''] = (match[2] ?? '').trim();
  return outputs;
}

describe('the GitHub Action through act: uses: ./ logs in, builds, pushes by digest and tags', () => {
  const client = new DockerClient();
  const secrets = mkdtempSync(join(tmpdir(), 'e2e-act-secrets-'));
  // act's cache server keeps its entries here across the runs of this file, as GitHub's cache service does.
  const cacheServer = join(secrets, 'cache-server');
  const image = `${lab.registry}/e2e/${unique('act')}`;
  let repo = '';

  async function act(): Promise<RunResult> {
    const secretFile = join(secrets, 'secrets.env');
    writeFileSync(secretFile, `REGISTRY_PASSWORD=${lab.registryPassword}\n`, { mode: 0o600 });
    try {
      return await runAct(
        repo,
        '.github/workflows/image.yml',
        [...labActVars(lab, image), `--secret-file=${secretFile}`],
        cacheServer,
      );
    } finally {
      rmSync(secretFile, { force: true });
    }
  }

  async function inspect(ref: string): Promise<ImageFacts> {
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}']);
    return parseInspect(stdout);
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture(['hello-app', 'act-pipeline'], 'https://github.com/example/hello-act.git', true);
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    rmSync(secrets, { recursive: true, force: true });
  });

  it('a push to main: the tags in the registry, both platforms, the digest output is the registry’s', async () => {
    const result = await act();
    expect(result.stdout).toContain('Job succeeded');
    expect(result.code, result.stdout.slice(-4000)).toBe(0);
    const outputs = outputsOf(result.stdout);
    const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
    expect(outputs.tags?.split(' ')).toEqual([`${image}:main`, `${image}:sha-${sha.slice(0, 7)}`]);
    expect(outputs.version).toBe('main');
    expect(outputs['scan-result']).toBe('passed');
    const facts = await inspect(`${image}:main`);
    expect(facts.digest).toBe(outputs.digest);
    expect(facts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(facts.labels).toMatchObject({
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': 'main',
    });
    expect(Object.keys(JSON.parse(outputs['platform-digests'] ?? '{}') as object).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    // the password was masked wherever the log could have shown it
    expect(result.stdout).not.toContain(lab.registryPassword);
    // Trivy's database came from the lab's mirror, and went into the Actions cache for the next jobs of the day
    const today = `docker-build-trivy-db-v2-${new Date().toISOString().slice(0, 10)}`;
    expect(result.stdout).toContain(`--db-repository=${lab.trivyDbRepository}`);
    // ... saying the database's source (or that the runner's was current) and size, in a group of its own, and the
    // size of what was saved and how long it took. (act runs the job on this machine: its ~/.cache/trivy may hold a
    // current database already.)
    expect(result.stdout).toMatch(
      new RegExp(
        `::group::Trivy database\\n(.*\\n)*?.*Trivy DB: (downloaded from ${lab.trivyDbRepository} in \\d+\\.\\d s|` +
          `current \\(.*\\), no download): \\S+/db/trivy\\.db is [\\d.]+ kB\\n`,
      ),
    );
    expect(result.stdout).toMatch(
      new RegExp(`Trivy DB: saved to the Actions cache as ${today}: [\\d.]+ kB of database files in \\d+\\.\\d s`),
    );
  });

  it('a tag v1.2.3: the semver tags', async () => {
    await must('git', ['tag', 'v1.2.3'], { cwd: repo });
    await must('git', ['checkout', '--quiet', '--detach', 'v1.2.3'], { cwd: repo });
    const result = await act();
    expect(result.code, result.stdout.slice(-4000)).toBe(0);
    const outputs = outputsOf(result.stdout);
    expect(outputs.version).toBe('1.2.3');
    // the second job of the day restores today's database, and downloads nothing
    const today = `docker-build-trivy-db-v2-${new Date().toISOString().slice(0, 10)}`;
    expect(result.stdout).toMatch(
      new RegExp(
        `Trivy DB: restored from the Actions cache \\(${today}\\): [\\d.]+ kB of database files in \\d+\\.\\d s`,
      ),
    );
    expect(result.stdout).not.toContain('--download-db-only');
    expect(outputs.tags?.split(' ')).toEqual(
      expect.arrayContaining([`${image}:1.2.3`, `${image}:1.2`, `${image}:latest`]),
    );
    expect((await inspect(`${image}:1.2.3`)).digest).toBe(outputs.digest);
  });

  it('a secret in the arm64 variant: the scan gate fails the job and no tag moves', async () => {
    const before = (await inspect(`${image}:main`)).digest;
    await must('git', ['checkout', '--quiet', 'main'], { cwd: repo });
    writeFileSync(join(repo, 'deploy.env'), `export AWS_ACCESS_KEY_ID=${fakeAwsKeyId()}\n`);
    writeFileSync(join(repo, 'Dockerfile'), ARM64_ONLY_SECRET_DOCKERFILE);
    await must('git', ['add', '--all'], { cwd: repo });
    await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'plant a key'], {
      cwd: repo,
    });
    const result = await act();
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/the scan gate failed on linux\/arm64/);
    expect(result.stdout).toContain('Job failed');
    // :main still points at the previous, clean digest; the new commit's sha tag does not exist
    expect((await inspect(`${image}:main`)).digest).toBe(before);
    const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
    const tagged = await client.docker(['buildx', 'imagetools', 'inspect', `${image}:sha-${sha.slice(0, 7)}`]);
    expect(tagged.code).not.toBe(0);
  });

  it('a vulnerable package in the arm64 variant: the gate fails on CRITICAL and HIGH, and no tag moves', async () => {
    const before = (await inspect(`${image}:main`)).digest;
    rmSync(join(repo, 'deploy.env'));
    cpSync(new URL('../fixtures/vuln-app/', import.meta.url), repo, { recursive: true });
    const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8').replace(
      'ARG ARM64_ONLY=false',
      'ARG ARM64_ONLY=true',
    );
    writeFileSync(join(repo, 'Dockerfile'), dockerfile);
    await must('git', ['add', '--all'], { cwd: repo });
    await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'demo pkgs'], {
      cwd: repo,
    });
    const result = await act();
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/the scan gate failed on linux\/arm64: 3 finding\(s\) of severity CRITICAL, HIGH/);
    expect(result.stdout).toContain('CVE-2099-0001');
    expect((await inspect(`${image}:main`)).digest).toBe(before);
  });

  it('leaves no Docker config with the password on disk and no builder behind', async () => {
    expect(filesContaining(credentialLocations(repo), lab.registryPassword, [lab.home, client.configDir])).toEqual([]);
    expect(await leftoverBuilders()).toEqual([]);
  });
});
