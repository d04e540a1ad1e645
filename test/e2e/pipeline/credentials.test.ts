// Credentials a job already has, and push decisions that never skip silently: dist/ run as the GitHub Action
// (runAction) in the lab, with no credential input for the registry it pushes to.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import { runAction, type ActionRun, type GithubEvent } from '../helpers/action.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { filesContaining, leftoverBuilders } from '../helpers/leftovers.js';
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

  it('a credential helper that is not on PATH: exit 2 naming it and the file, and one that fails: exit 1, before the build', async () => {
    const prior = new DockerClient();
    try {
      const image = `${lab.registry2}/e2e/${unique('bad-helper')}`;
      writeFileSync(
        join(prior.configDir, 'config.json'),
        JSON.stringify({ credHelpers: { [lab.registry2]: 'nothere' } }),
      );
      const missing = await runAction(repo, PUSH, {
        ...inputs({ INPUT_IMAGES: image }),
        DOCKER_CONFIG: prior.configDir,
      });
      expect(missing.main.code).toBe(2);
      expect(missing.main.stdout).toContain(
        `::error::Invalid credHelpers "nothere" in ${join(prior.configDir, 'config.json')}: docker-credential-nothere is not on PATH`,
      );
      writeFileSync(join(scratch, 'docker-credential-broken'), '#!/bin/sh\necho "AccessDenied: no role" >&2\nexit 3\n');
      chmodSync(join(scratch, 'docker-credential-broken'), 0o755);
      writeFileSync(
        join(prior.configDir, 'config.json'),
        JSON.stringify({ credHelpers: { [lab.registry2]: 'broken' } }),
      );
      const failing = await runAction(repo, PUSH, {
        ...inputs({ INPUT_IMAGES: image }),
        DOCKER_CONFIG: prior.configDir,
        PATH: `${scratch}:${process.env.PATH ?? ''}`,
      });
      expect(failing.main.code).toBe(1);
      expect(failing.main.stdout).toContain(
        `credential helper docker-credential-broken failed for ${lab.registry2} with exit code 3: AccessDenied: no role`,
      );
      for (const run of [missing, failing]) expect(run.main.stdout).not.toContain('Set up the builder');
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

  it('through act: a login step before it, and a credential helper on PATH, each let it push with no input', async () => {
    const act = await repoFromFixture(
      ['hello-app', 'act-prior-login'],
      'https://github.com/example/hello-act.git',
      true,
    );
    const image = `${lab.registry2}/e2e/${unique('act-prior')}`;
    const imageHelper = `${lab.registry2}/e2e/${unique('act-helper')}`;
    const secretFile = join(scratch, 'act-secrets.env');
    writeFileSync(
      secretFile,
      `REGISTRY_PASSWORD=${lab.registryPassword}\nREGISTRY2_PASSWORD=${lab.registry2Password}\n`,
      { mode: 0o600 },
    );
    try {
      const result = await runAct(act, '.github/workflows/image.yml', [
        ...labActVars(lab, image),
        `--var=REGISTRY2=${lab.registry2}`,
        `--var=REGISTRY2_USER=${lab.registry2User}`,
        `--var=IMAGE_HELPER=${imageHelper}`,
        `--secret-file=${secretFile}`,
      ]);
      expect(result.code, result.stdout.slice(-5000)).toBe(0);
      const digest = (job: string) => new RegExp(`output ${job} digest=(sha256:[0-9a-f]{64})`).exec(result.stdout)?.[1];
      expect(digest('prior-login')).toBeDefined();
      expect(await digestOf(`${image}:main`)).toBe(digest('prior-login'));
      expect(await digestOf(`${imageHelper}:main`)).toBe(digest('helper'));
      expect(result.stdout).toContain(`credential for ${lab.registry2}: a prior login (auths ${lab.registry2})`);
      expect(result.stdout).toContain(`credential for ${lab.registry2}: credential helper lab (credHelpers)`);
      expect(result.stdout).not.toContain(lab.registry2Password);
      // the builders of both jobs are gone (other builders may belong to runs going on beside this one)
      const builders = [...new Set(result.stdout.match(/docker-build-[0-9a-f]{8}/g) ?? [])];
      expect(builders).toHaveLength(2);
      expect((await leftoverBuilders()).filter((name) => builders.some((b) => name.includes(b)))).toEqual([]);
    } finally {
      rmSync(secretFile, { force: true });
      rmSync(act, { recursive: true, force: true });
    }
  });

  it('through gitlab-ci-local: a docker login in before_script lets the component push with no input', async () => {
    const gitlab = await repoFromFixture(
      ['hello-app', 'gitlab-prior-login'],
      'https://gitlab.example.com/lab/app.git',
      true,
    );
    const image = `${lab.registry2}/e2e/${unique('gitlab-prior')}`;
    // named, not given as a path: gitlab-ci-local turns a variable holding a path into a file variable
    const dockerConfigName = unique('e2e-gitlab-docker-config');
    try {
      const result = await runGitlabCiLocal(gitlab, {
        ...labGitlabVariables(lab, `${lab.registry}/e2e/unused`),
        LAB_IMAGE2: image,
        LAB_REGISTRY2: lab.registry2,
        LAB_REGISTRY2_USER: lab.registry2User,
        LAB_REGISTRY2_PASSWORD: lab.registry2Password,
        LAB_DOCKER_CONFIG_NAME: dockerConfigName,
      });
      const log = result.stdout + result.stderr;
      expect(result.code, log.slice(-5000)).toBe(0);
      expect(log).toContain(`credential for ${lab.registry2}: a prior login (auths ${lab.registry2})`);
      expect(log).toContain(`credential for ${lab.registry}: automatic`);
      expect(await registryTags(lab, image)).toEqual(['main']);
      expect(log).not.toContain(lab.registry2Password);
    } finally {
      rmSync(join('/tmp', dockerConfigName), { recursive: true, force: true });
      rmSync(gitlab, { recursive: true, force: true });
    }
  });
});
