// Credentials a job already has, and push decisions that never skip silently: dist/ run as the GitHub Action
// (runAction) in the lab, with no credential input for the registry it pushes to.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAction, type ActionRun, type GithubEvent } from '../helpers/action.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { filesContaining } from '../helpers/leftovers.js';
import { registryTags } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';

const lab = inject('lab');

const PUSH: GithubEvent = { name: 'push', ref: 'refs/heads/main' };
const PULL_REQUEST: GithubEvent = {
  name: 'pull_request',
  ref: 'refs/pull/7/merge',
  payload: {
    number: 7,
    pull_request: {
      number: 7,
      head: { ref: 'feature', sha: '0'.repeat(40), repo: { full_name: 'example/hello-app' } },
      base: { ref: 'main', repo: { full_name: 'example/hello-app' } },
    },
  },
};

/**
 * The lab's inputs without any credential: the BuildKit image, the base image and Trivy's database are on the first
 * lab registry, whose credential comes from a prior login (or, for the job under test, from nowhere).
 */
function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    'INPUT_BUILDKIT-IMAGE': lab.buildkitImage,
    'INPUT_DRIVER-OPTS': 'network=host',
    'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}`,
    'INPUT_DB-REPOSITORY': lab.trivyDbRepository,
    INPUT_PLATFORMS: 'linux/amd64',
    ...extra,
  };
}

describe('credentials a job already has', () => {
  const checker = new DockerClient();
  const scratch = mkdtempSync(join(tmpdir(), 'e2e-credentials-'));
  let repo = '';

  async function digestOf(ref: string): Promise<string | undefined> {
    const result = await checker.docker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}']);
    return result.code === 0 ? (JSON.parse(result.stdout) as { digest: string }).digest : undefined;
  }

  /** The step's log as GitHub shows it: the runner consumes its `::add-mask::` commands. */
  const log = (run: ActionRun) =>
    (run.main.stdout + run.main.stderr)
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');

  beforeAll(async () => {
    expect((await checker.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    expect((await checker.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
    repo = await repoFromFixture('hello-app', 'https://github.com/example/hello-app.git');
  });

  afterAll(() => {
    checker.dispose();
    rmSync(repo, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a prior docker login to both lab registries: pushed to the second, with no credential input', async () => {
    const prior = new DockerClient();
    try {
      expect((await prior.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
      expect((await prior.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
      const image = `${lab.registry2}/e2e/${unique('prior-login')}`;
      const run = await runAction(repo, PUSH, { ...inputs({ INPUT_IMAGES: image }), DOCKER_CONFIG: prior.configDir });
      expect(run.main.code, log(run).slice(-4000)).toBe(0);
      expect(log(run)).toContain('pushing: push is auto and this is a push to a branch');
      expect(log(run)).toContain(`credential for ${lab.registry2}: a prior login (auths ${lab.registry2})`);
      expect(log(run)).toContain(`credential for ${lab.registry}: a prior login (auths ${lab.registry})`);
      // nothing logged in again: the prior logins were taken over
      expect(log(run)).not.toContain('docker login');
      expect(run.outputs['scan-result']).toBe('passed');
      expect(await digestOf(`${image}:main`)).toBe(run.outputs.digest);
      expect(log(run)).not.toContain(lab.registry2Password);
    } finally {
      prior.dispose();
    }
  });

  it('a credential helper on PATH serves the second registry: pushed, the helper asked as Docker asks it', async () => {
    const prior = new DockerClient();
    const calls = join(scratch, 'helper-calls');
    try {
      expect((await prior.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
      // The helper reads the password from its own environment, as a cloud helper reads its token; it records
      // each call (never the secret).
      writeFileSync(
        join(scratch, 'docker-credential-lab'),
        [
          '#!/bin/sh',
          'read -r server',
          `echo "$1 $server" >> ${calls}`,
          `if [ "$1" = get ] && [ "$server" = "${lab.registry2}" ]; then`,
          `  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$server" "${lab.registry2User}" "$LAB_HELPER_SECRET"`,
          'else',
          '  echo "credentials not found in native keychain"; exit 1',
          'fi',
          '',
        ].join('\n'),
      );
      chmodSync(join(scratch, 'docker-credential-lab'), 0o755);
      const config = JSON.parse(readFileSync(join(prior.configDir, 'config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(
        join(prior.configDir, 'config.json'),
        JSON.stringify({ ...config, credHelpers: { [lab.registry2]: 'lab' } }),
      );
      const image = `${lab.registry2}/e2e/${unique('helper')}`;
      const run = await runAction(repo, PUSH, {
        ...inputs({ INPUT_IMAGES: image }),
        DOCKER_CONFIG: prior.configDir,
        PATH: `${scratch}:${process.env.PATH ?? ''}`,
        LAB_HELPER_SECRET: lab.registry2Password,
      });
      expect(run.main.code, log(run).slice(-4000)).toBe(0);
      expect(log(run)).toContain(`credential for ${lab.registry2}: credential helper lab (credHelpers)`);
      expect(log(run)).toContain(`docker-credential-lab has a credential for ${lab.registry2}`);
      expect(await digestOf(`${image}:main`)).toBe(run.outputs.digest);
      expect(readFileSync(calls, 'utf8')).toContain(`get ${lab.registry2}`);
      expect(log(run)).not.toContain(lab.registry2Password);
      // the user's config is read, never written: no credential landed in it
      expect(filesContaining([prior.configDir], lab.registry2Password)).toEqual([]);
    } finally {
      prior.dispose();
    }
  });

  it('a push event with no credential for the registry pushed to: an error before the build, naming it', async () => {
    const prior = new DockerClient();
    try {
      expect((await prior.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
      const image = `${lab.registry2}/e2e/${unique('no-credential')}`;
      const run = await runAction(repo, PUSH, { ...inputs({ INPUT_IMAGES: image }), DOCKER_CONFIG: prior.configDir });
      expect(run.main.code).toBe(2);
      expect(run.main.stdout).toContain(
        `::error::no credential for ${lab.registry2}, and this run pushes there (push: auto pushes on every event but ` +
          'pull and merge requests). Give one: the registry, username and password inputs',
      );
      // before the build: no builder was set up, nothing was pushed
      expect(run.main.stdout).not.toContain('Set up the builder');
      expect(run.main.stdout).not.toContain('buildx create');
      expect(await registryTags(lab, image)).toEqual([]);
    } finally {
      prior.dispose();
    }
  });

  it('the same on a pull request: built and scanned, not pushed, green', async () => {
    const prior = new DockerClient();
    try {
      expect((await prior.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
      const image = `${lab.registry2}/e2e/${unique('pr')}`;
      const run = await runAction(repo, PULL_REQUEST, {
        ...inputs({ INPUT_IMAGES: image }),
        DOCKER_CONFIG: prior.configDir,
      });
      expect(run.main.code, log(run).slice(-4000)).toBe(0);
      expect(log(run)).toContain('not pushing: push is auto and this is a pull or merge request');
      expect(run.outputs['scan-result']).toBe('passed');
      expect(run.outputs.tags).toBe('');
      expect(await digestOf(`${image}:pr-7`)).toBeUndefined();
    } finally {
      prior.dispose();
    }
  });

  it('tags as full references, no images: exactly those are pushed', async () => {
    const prior = new DockerClient();
    try {
      expect((await prior.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
      expect((await prior.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
      const one = `${lab.registry2}/e2e/${unique('refs')}`;
      const two = `${lab.registry}/e2e/${unique('refs')}`;
      const run = await runAction(repo, PUSH, {
        ...inputs({ INPUT_TAGS: `${one}:latest\n${one}:1.2,${two}:stable` }),
        DOCKER_CONFIG: prior.configDir,
      });
      expect(run.main.code, log(run).slice(-4000)).toBe(0);
      expect(run.outputs.tags?.split('\n')).toEqual([`${one}:latest`, `${one}:1.2`, `${two}:stable`]);
      for (const ref of [`${one}:latest`, `${one}:1.2`, `${two}:stable`]) {
        expect(await digestOf(ref)).toBe(run.outputs.digest);
      }
      // exactly those: no tag made of a reference, no default rule's tag
      expect(await registryTags(lab, one)).toEqual(['1.2', 'latest']);
      expect(await registryTags(lab, two)).toEqual(['stable']);
    } finally {
      prior.dispose();
    }
  });
});
