// Promote: an image built and gated once, then on a tag taken by digest, scanned again with today's database and
// tagged (in its repository, or copied by digest into the second lab registry) without a rebuild. The local command,
// the GitHub Action through act (a branch run builds, a tag run promotes) and the GitLab components through
// gitlab-ci-local (a build job, then the promote component reading its dotenv).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { credentialLocations, filesContaining } from '../helpers/leftovers.js';
import { parseInspect, registryTags, runLocal, type ImageFacts, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

/** The version's tags, as a release writes them. */
const SEMVER = ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}'];

/** `registry-auth` for the registries given: docker/login-action's YAML list. */
function registryAuth(registries: readonly { registry: string; user: string; password: string }[]): string {
  return registries
    .map(({ registry, user, password }) => `- registry: ${registry}\n  username: ${user}\n  password: ${password}\n`)
    .join('');
}

/** The lab's two registries, as registry-auth lists them. */
const REGISTRY1 = { registry: lab.registry, user: lab.registryUser, password: lab.registryPassword };
const REGISTRY2 = { registry: lab.registry2, user: lab.registry2User, password: lab.registry2Password };

/**
 * The promote command in `cwd`, with the credentials of both registries in registry-auth (an INPUT_ variable, never
 * argv) instead of the lab registry's registry, username and password.
 */
function promote(cwd: string, inputs: LocalInputs): Promise<RunResult> {
  return runLocal(lab, cwd, inputs, {
    command: 'promote',
    env: {
      INPUT_REGISTRY: '',
      INPUT_USERNAME: '',
      INPUT_PASSWORD: '',
      'INPUT_REGISTRY-AUTH': registryAuth([REGISTRY1, REGISTRY2]),
    },
  });
}

const git = (repo: string, ...args: string[]) => must('git', args, { cwd: repo });

/** A checkout of tag v1.2.3 on the repository's last commit, as a tag pipeline has. */
async function checkoutTag(repo: string): Promise<void> {
  await git(repo, 'tag', 'v1.2.3');
  await git(repo, 'checkout', '--quiet', '--detach', 'v1.2.3');
}

function outputsOf(result: RunResult): Record<string, string> {
  return result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>);
}

async function inspect(client: DockerClient, ref: string): Promise<ImageFacts> {
  const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}']);
  return parseInspect(stdout);
}

/** platform → digest of its image manifest, as the registry serves the index of `ref`. */
async function platformDigests(client: DockerClient, ref: string): Promise<Record<string, string>> {
  const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', ref]);
  const index = JSON.parse(stdout) as {
    manifests: { digest: string; platform: { os: string; architecture: string } }[];
  };
  return Object.fromEntries(
    index.manifests
      .filter((m) => m.platform.os !== 'unknown')
      .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
  );
}

async function loggedInClient(): Promise<DockerClient> {
  const client = new DockerClient();
  expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
  expect((await client.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
  return client;
}

describe('docker-build promote: the built digest, gated again and tagged, never rebuilt', () => {
  let client: DockerClient;
  const source = `${lab.registry}/e2e/${unique('promote')}`;
  const target = `${lab.registry2}/e2e/${unique('promote')}`;
  let repo = '';
  /** the outputs of the build on main */
  let built: Record<string, string> = {};

  beforeAll(async () => {
    client = await loggedInClient();
    repo = await repoFromFixture('hello-app');
    const result = await runLocal(lab, repo, { images: source, platforms: lab.platforms.join(','), tags: 'type=sha' });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    built = outputsOf(result);
    expect(built.image).toBe(`${source}@${built.digest ?? ''}`);
    await checkoutTag(repo);
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('copies the image by digest into the second registry with the tag’s tags, every platform, no build', async () => {
    const result = await promote(repo, { source: built.image ?? '', images: target, tags: SEMVER });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(await registryTags(lab, target)).toEqual(['1.2', '1.2.3', 'latest']);
    const facts = await inspect(client, `${target}:1.2.3`);
    expect(facts.digest).toBe(built.digest);
    expect(facts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(await platformDigests(client, `${target}:1.2.3`)).toEqual(JSON.parse(built['platform-digests'] ?? '{}'));
    // every manifest of the index is in the second registry, the attestations' (unknown/unknown) too
    const { stdout: raw } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', `${target}:1.2.3`]);
    const manifests = (JSON.parse(raw) as { manifests: { digest: string }[] }).manifests;
    expect(manifests.length).toBeGreaterThan(2);
    for (const { digest } of manifests) {
      expect((await client.docker(['buildx', 'imagetools', 'inspect', '--raw', `${target}@${digest}`])).code).toBe(0);
    }
    // gated again: every platform of the source scanned by digest, with today's database
    for (const [platform, digest] of Object.entries(JSON.parse(built['platform-digests'] ?? '{}') as object)) {
      expect(result.stderr).toContain(`scanning ${platform}: ${source}@${String(digest)}`);
    }
    // nothing built: a builder for imagetools, no buildx build, no QEMU
    expect(result.stderr).not.toContain('buildx build');
    expect(result.stderr).not.toContain('Set up QEMU');
    expect(result.stderr).toContain(`$ docker buildx imagetools create`);
    const outputs = outputsOf(result);
    expect(outputs.digest).toBe(built.digest);
    expect(outputs.image).toBe(`${target}@${built.digest ?? ''}`);
    expect(outputs.tags?.split('\n')).toEqual([`${target}:1.2.3`, `${target}:1.2`, `${target}:latest`]);
    expect(outputs.version).toBe('1.2.3');
    expect(outputs['platform-digests']).toBe(built['platform-digests']);
    expect(outputs['scan-result']).toBe('passed');
    expect(result.stderr + result.stdout).not.toContain(lab.registry2Password);
    // copied, not tagged in place: the source's repository keeps the build's tag alone
    expect(await registryTags(lab, source)).toEqual([expect.stringMatching(/^sha-[0-9a-f]{7}$/)]);
  });

  it('a second promote of the same digest changes nothing', async () => {
    const result = await promote(repo, { source: built.image ?? '', images: target, tags: SEMVER });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(result.stderr).toContain(
      `${target}: 1.2.3, 1.2, latest already point at ${built.digest ?? ''}, nothing to do`,
    );
    expect(result.stderr).not.toContain('imagetools create');
    expect(await registryTags(lab, target)).toEqual(['1.2', '1.2.3', 'latest']);
    expect((await inspect(client, `${target}:latest`)).digest).toBe(built.digest);
  });

  it('with no images, tags the source’s own repository', async () => {
    // the lab registry's credentials only, as labInputs gives them
    const result = await runLocal(lab, repo, { source: built.image ?? '', tags: SEMVER }, { command: 'promote' });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const sha = (await git(repo, 'rev-parse', '--short=7', 'HEAD')).stdout.trim();
    expect(await registryTags(lab, source)).toEqual(['1.2', '1.2.3', 'latest', `sha-${sha}`]);
    for (const tag of ['1.2.3', '1.2', 'latest']) {
      expect((await inspect(client, `${source}:${tag}`)).digest).toBe(built.digest);
    }
    expect(outputsOf(result).image).toBe(built.image);
    expect(result.stderr).not.toContain('buildx build');
  });

  it('a source with a finding fails the promote’s scan gate and leaves no tag in the target', async () => {
    const vulnRepo = await repoFromFixture('vuln-app');
    const vulnSource = `${lab.registry}/e2e/${unique('promote-vuln')}`;
    const vulnTarget = `${lab.registry2}/e2e/${unique('promote-vuln')}`;
    try {
      // built and pushed with the gate off, as an image built before its advisory was known would have been
      const build = await runLocal(lab, vulnRepo, {
        images: vulnSource,
        platforms: 'linux/amd64',
        tags: 'type=sha',
        scan: false,
      });
      expect(build.code, build.stderr.slice(-3000)).toBe(0);
      const image = outputsOf(build).image ?? '';
      await checkoutTag(vulnRepo);
      const result = await promote(vulnRepo, { source: image, images: vulnTarget, tags: SEMVER });
      expect(result.code, result.stderr.slice(-3000)).toBe(1);
      expect(result.stderr).toMatch(/the scan gate failed on linux\/amd64/);
      expect(result.stderr).toContain('CVE-2099-0001');
      expect(outputsOf(result)['scan-result']).toBe('failed');
      expect(outputsOf(result).tags).toBe('');
      expect(readFileSync(join(vulnRepo, 'docker-build-reports', 'trivy-junit.xml'), 'utf8')).toMatch(
        /linux\/amd64[\s\S]*CVE-2099-0001[\s\S]*<failure/,
      );
      expect(result.stderr).not.toContain('imagetools create');
      expect(await registryTags(lab, vulnTarget)).toEqual([]);
      // nor in the source's repository: only the build's own sha tag
      expect(await registryTags(lab, vulnSource)).toEqual([expect.stringMatching(/^sha-[0-9a-f]{7}$/)]);
    } finally {
      rmSync(vulnRepo, { recursive: true, force: true });
    }
  });

  describe('bad input: exit 2, a message naming the input and the value, nothing tagged', () => {
    const badTarget = `${lab.registry2}/e2e/${unique('promote-bad')}`;
    const cases: { name: string; inputs: () => LocalInputs; message: () => RegExp }[] = [
      {
        name: 'a source by tag',
        inputs: () => ({ source: `${source}:1.0`, images: badTarget, tags: SEMVER }),
        message: () => new RegExp(`Invalid source "${escape(source)}:1\\.0": is an image by tag`),
      },
      {
        name: 'no source',
        inputs: () => ({ images: badTarget, tags: SEMVER }),
        message: () => /Invalid source "": promote needs the image to promote, by digest/,
      },
      {
        name: 'a digest the registry does not hold',
        inputs: () => ({ source: `${source}@sha256:${'0'.repeat(64)}`, images: badTarget, tags: SEMVER }),
        message: () => new RegExp(`Invalid source "${escape(source)}@sha256:0{64}": no such image in the registry`),
      },
      {
        name: 'platforms',
        inputs: () => ({ source: built.image ?? '', images: badTarget, tags: SEMVER, platforms: 'linux/amd64' }),
        message: () => /Invalid platforms "linux\/amd64": promote takes the platforms of its source/,
      },
      {
        name: 'push: digest',
        inputs: () => ({ source: built.image ?? '', images: badTarget, tags: SEMVER, push: 'digest' }),
        message: () => /Invalid push "digest": pushes one platform of a build by digest; promote takes images/,
      },
    ];

    it.each(cases)('$name', async ({ inputs, message }) => {
      const result = await promote(repo, inputs());
      expect(result.code, result.stderr.slice(-3000)).toBe(2);
      expect(result.stderr).toMatch(message());
      expect(result.stderr).not.toContain('$ docker buildx imagetools create');
      expect(await registryTags(lab, badTarget)).toEqual([]);
    });
  });
});

/**
 * Where a job could leave the second registry's password: the workspace, ~/.docker, act's state. Not the whole temp
 * directory: other runs on a shared machine write theirs there while this one runs.
 */
function leakLocations(workspace: string): string[] {
  return credentialLocations(workspace).filter((location) => location !== tmpdir());
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('the Action through act: a branch run builds, a tag run promotes with command: promote', () => {
  let client: DockerClient;
  const image = `${lab.registry}/e2e/${unique('promote-act')}`;
  const target = `${lab.registry2}/e2e/${unique('promote-act')}`;
  /** the tag event's payload (no secret in it) */
  let events = '';
  let repo = '';

  /** The lines act prints for one of the workflow's jobs: `[release/build  ] ...` (names padded to one width). */
  const jobLines = (log: string, job: string) =>
    log
      .split('\n')
      .filter((line) => new RegExp(`^\\[release/${job} *\\]`).test(line))
      .join('\n');

  function outputsOf(log: string): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const match of log.matchAll(/\| output ([a-z-]+)=(.*)$/gm)) outputs[match[1] ?? ''] = (match[2] ?? '').trim();
    return outputs;
  }

  /** act with the lab's variables; the passwords go in as secrets read from act's environment, never argv or a file. */
  function act(extra: string[]): Promise<RunResult> {
    return runAct(
      repo,
      '.github/workflows/release.yml',
      [
        ...labActVars(lab, image),
        `--var=IMAGE2=${target}`,
        `--var=REGISTRY2=${lab.registry2}`,
        `--var=REGISTRY2_USER=${lab.registry2User}`,
        '--secret=REGISTRY_PASSWORD',
        '--secret=REGISTRY2_PASSWORD',
        ...extra,
      ],
      undefined,
      { REGISTRY_PASSWORD: lab.registryPassword, REGISTRY2_PASSWORD: lab.registry2Password },
    );
  }

  beforeAll(async () => {
    client = await loggedInClient();
    repo = await repoFromFixture(['hello-app', 'act-promote'], 'https://github.com/example/promote-act.git', true);
    events = mkdtempSync(join(tmpdir(), 'e2e-promote-act-'));
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    rmSync(events, { recursive: true, force: true });
  });

  it('the tag’s run copies the branch run’s digest into the second registry, and builds nothing', async () => {
    const main = await act([]);
    expect(main.code, main.stdout.slice(-4000)).toBe(0);
    const built = outputsOf(jobLines(main.stdout, 'build'));
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.image).toBe(`${image}@${built.digest ?? ''}`);
    expect(jobLines(main.stdout, 'build')).toContain('$ docker buildx build');
    expect(jobLines(main.stdout, 'promote')).toBe('');

    await checkoutTag(repo);
    const event = join(events, 'tag.json');
    writeFileSync(event, JSON.stringify({ ref: 'refs/tags/v1.2.3' }));
    const release = await act([`--eventpath=${event}`, `--var=SOURCE=${built.image ?? ''}`]);
    expect(release.code, release.stdout.slice(-4000)).toBe(0);
    const promoteLog = jobLines(release.stdout, 'promote');
    expect(promoteLog).toContain('Job succeeded');
    expect(jobLines(release.stdout, 'build')).toBe('');
    expect(promoteLog).not.toContain('buildx build');
    expect(promoteLog).not.toContain('Set up QEMU');
    expect(promoteLog).toContain('$ docker buildx imagetools create');
    const promoted = outputsOf(promoteLog);
    expect(promoted.digest).toBe(built.digest);
    expect(promoted.image).toBe(`${target}@${built.digest ?? ''}`);
    expect(promoted.version).toBe('1.2.3');
    expect(promoted['scan-result']).toBe('passed');
    expect(promoted.tags?.split(' ')).toEqual([`${target}:1.2.3`, `${target}:1.2`, `${target}:latest`]);
    expect(await registryTags(lab, target)).toEqual(['1.2', '1.2.3', 'latest']);
    const facts = await inspect(client, `${target}:1.2.3`);
    expect(facts.digest).toBe(built.digest);
    expect(facts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(release.stdout).not.toContain(lab.registry2Password);
    expect(filesContaining(leakLocations(repo), lab.registry2Password, [lab.home, client.configDir])).toEqual([]);
  });
});

describe('the GitLab components through gitlab-ci-local: a build job, then promote reading its dotenv', () => {
  let client: DockerClient;
  const image = `${lab.registry}/e2e/${unique('promote-gitlab')}`;
  const target = `${lab.registry2}/e2e/${unique('promote-gitlab')}`;
  let repo = '';

  const jobLines = (log: string, job: string) =>
    log
      .split('\n')
      .filter((line) => new RegExp(`^${job}\\s`).test(line))
      .join('\n');

  beforeAll(async () => {
    client = await loggedInClient();
    repo = await repoFromFixture(['hello-app', 'gitlab-promote'], 'https://gitlab.example.com/lab/app.git', true);
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('a tag pipeline: built, then promoted by the digest of $DOCKER_BUILD_IMAGE into the second registry', async () => {
    await git(repo, 'tag', 'v1.2.3');
    const run = await runGitlabCiLocal(repo, {
      ...labGitlabVariables(lab, image),
      LAB_REGISTRY2_IMAGE: target,
      // the second registry's credentials, as a masked CI/CD variable holds them (registry-auth-variable)
      REGISTRY2_AUTH: registryAuth([REGISTRY2]),
      CI_COMMIT_TAG: 'v1.2.3',
      CI_COMMIT_REF_NAME: 'v1.2.3',
      CI_COMMIT_BRANCH: '',
    });
    const log = run.stdout + run.stderr;
    expect(run.code, log.slice(-4000)).toBe(0);
    expect(log).toMatch(/PASS\s+docker-build\s/);
    expect(log).toMatch(/PASS\s+docker-build-promote/);
    // the build job's image, by digest: what its sha tag points at
    const sha = (await git(repo, 'rev-parse', '--short=8', 'HEAD')).stdout.trim();
    const built = (await inspect(client, `${image}:sha-${sha}`)).digest;
    expect(built).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(jobLines(log, 'docker-build')).toContain('$ docker buildx build');
    const promoteLog = jobLines(log, 'docker-build-promote');
    // the component's default source: INPUT_SOURCE is '$DOCKER_BUILD_IMAGE', expanded from the build job's dotenv
    expect(promoteLog).toContain(`${image}@${built}: linux/amd64, linux/arm64`);
    expect(promoteLog).not.toContain('buildx build');
    expect(promoteLog).toContain('$ docker buildx imagetools create');
    // what a later job reads: the promote job's dotenv
    const dotenv = /> dotenv digest=(\S*) image=(\S*) version=(\S*) scan=(\S*) tags=(\S*)/.exec(log);
    expect(dotenv?.slice(1)).toEqual([
      built,
      `${target}@${built}`,
      '1.2.3',
      'passed',
      [`${target}:1.2.3`, `${target}:1.2`, `${target}:latest`].join(','),
    ]);
    expect(await registryTags(lab, target)).toEqual(['1.2', '1.2.3', 'latest']);
    const facts = await inspect(client, `${target}:1.2.3`);
    expect(facts.digest).toBe(built);
    expect(facts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(log).not.toContain(lab.registry2Password);
    expect(filesContaining(leakLocations(repo), lab.registry2Password, [lab.home, client.configDir])).toEqual([]);
  });
});
