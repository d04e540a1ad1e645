// The GitLab component in each builder mode that runs in containers, through gitlab-ci-local's docker executor (no
// --force-shell-executor): the job in the runner image built from this working tree, with the lab's stand-ins for the
// Docker Hub images gitlab-ci-local and the modes expect. dind: Docker-in-Docker with TLS, the client certificates
// shared with the job; socket: the host's engine bound in; buildkit-service: rootless BuildKit as a service, no Docker
// anywhere; buildkitd: BuildKit started by the job in its own container. Each is a branch pipeline building two
// platforms, pushed, scanned, tested and tagged; the test checks what a user would: the registry, the dotenv report,
// the log, and that nothing is left behind. `shell` is the shell executor's (gitlab.test.ts and the other GitLab tests).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { labGitlabVariables } from '../helpers/gitlab.js';
import {
  buildRunnerImage,
  dockerObjects,
  GITLAB_DOCKER_MODES,
  newObjects,
  readGitlabDockerLab,
  runGitlabDocker,
  type GitlabDockerLab,
  type GitlabDockerMode,
} from '../helpers/gitlab-docker.js';
import { repoFromFixture } from '../helpers/repo.js';
import type { RunResult } from '../helpers/run.js';

const lab = inject('lab');
const ORIGIN = 'https://gitlab.example.com/lab/app.git';

describe('the GitLab component in each builder mode, in containers (gitlab-ci-local docker executor)', () => {
  // Lab credentials stay out of the shared temp directory: the client's config and the dind certificates go here.
  const scratch = mkdtempSync(join(lab.home, 'e2e-gitlab-docker-'));
  const client = new DockerClient(scratch);
  const runnerImage = `docker-build-runner:${unique('gcl')}`;
  const image = `${lab.registry}/e2e/${unique('gitlab-modes')}`;
  let gl: GitlabDockerLab;
  let repo = '';

  beforeAll(async () => {
    gl = await readGitlabDockerLab();
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    await buildRunnerImage(client, lab, runnerImage);
    repo = await repoFromFixture(['hello-app', 'gitlab-builders'], ORIGIN, true);
  });

  afterAll(async () => {
    await client.docker(['image', 'rm', '--force', runnerImage]);
    client.dispose();
    rmSync(scratch, { recursive: true, force: true });
    if (repo !== '') rmSync(repo, { recursive: true, force: true });
  });

  async function digestOf(ref: string): Promise<string | undefined> {
    const result = await client.docker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}']);
    return result.code === 0 ? (JSON.parse(result.stdout) as { digest: string }).digest : undefined;
  }

  async function platformsOf(ref: string): Promise<string[]> {
    const result = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}']);
    const index = JSON.parse(result.stdout) as { manifests?: { platform?: { os: string; architecture: string } }[] };
    return (index.manifests ?? [])
      .map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : ''))
      .filter((p) => p !== '' && p !== 'unknown/unknown')
      .sort();
  }

  /** What each mode's job says about its builder, in its log. */
  const BUILDER_LINES: Record<GitlabDockerMode, RegExp[]> = {
    // buildx takes a TLS engine only through a context
    dind: [
      /builder: on tcp:\/\/docker:2376 over TLS/,
      /docker buildx create .*--driver=docker-container/,
      /docker run on the job’s Docker engine/,
    ],
    socket: [/docker buildx create .*--driver=docker-container/, /docker run on the job’s Docker engine/],
    'buildkit-service': [
      /docker buildx create .*--driver=remote .*tcp:\/\/buildkitd:1234/,
      /in the builder: driver remote needs no Docker engine/,
    ],
    // root in the runner image: rootless as its buildkit user (the job is privileged, so rootful was the fallback)
    buildkitd: [
      /buildkitd: rootless \(as buildkit \(uid 1000\), the image's rootless user\)/,
      /in the builder: driver buildkitd needs no Docker engine/,
    ],
  };

  /** One job of the fixture's pipeline, run as `mode`'s runner would run it; the log is both streams. */
  async function job(mode: GitlabDockerMode, options: { unprivileged?: boolean } = {}): Promise<RunResult> {
    // the password reaches the job through gitlab-ci-local's environment, never its command line
    const { CI_REGISTRY_PASSWORD: password = '', ...variables } = labGitlabVariables(lab, image);
    return runGitlabDocker(repo, mode, gl, {
      scratch,
      variables: {
        ...variables,
        LAB_RUNNER_IMAGE: runnerImage,
        LAB_DIND_IMAGE: gl.dindImage,
        LAB_BUILDKIT_ROOTLESS_IMAGE: gl.buildkitRootlessImage,
      },
      secrets: { CI_REGISTRY_PASSWORD: password },
      extra: [`docker-build-${mode}`],
      ...options,
    });
  }

  it.each(GITLAB_DOCKER_MODES)(
    'builder: %s: a branch pipeline builds both platforms, scans, tests and tags; nothing is left behind',
    async (mode) => {
      const before = await dockerObjects();
      const result = await job(mode);
      const log = result.stdout;
      expect(result.code, log.slice(-6000)).toBe(0);
      expect(log).toMatch(new RegExp(`PASS\\s+docker-build-${mode}`));
      // in a container of the runner image, not the shell executor
      expect(log).toContain(`starting ${runnerImage}`);
      for (const line of BUILDER_LINES[mode]) expect(log).toMatch(line);
      // both platforms scanned and tested before the tag
      expect(log).toContain('PASSED: no finding fails the gate');
      expect(log).toContain('test gate: passed');
      expect(log).toContain('hello from x86_64');
      expect(log).toContain('hello from aarch64');
      const dotenv = readFileSync(join(repo, 'docker-build.env'), 'utf8');
      const digest = /^DOCKER_BUILD_DIGEST=(\S+)$/m.exec(dotenv)?.[1];
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await digestOf(`${image}/${mode}:main`)).toBe(digest);
      expect(await platformsOf(`${image}/${mode}:main`)).toEqual(['linux/amd64', 'linux/arm64']);
      expect(log).not.toContain(lab.registryPassword);
      // no container, network or volume of the job, its services or its builder is left
      expect(newObjects(before, await dockerObjects())).toEqual({ containers: [], networks: [], volumes: [] });
    },
  );

  it('builder: buildkitd on a runner that allows neither privileged containers nor user namespaces: the job fails before any push, naming the driver and the socket, and leaves nothing', async () => {
    const before = await dockerObjects();
    // the tag as the privileged run left it (or absent): it must not move
    const tagged = await digestOf(`${image}/buildkitd:main`);
    const result = await job('buildkitd', { unprivileged: true });
    const log = result.stdout;
    expect(result.code, log.slice(-4000)).not.toBe(0);
    expect(log).toMatch(/FAIL\s+docker-build-buildkitd/);
    expect(log).toMatch(
      /driver buildkitd: rootless BuildKit did not start, and rootful needs CAP_SYS_ADMIN, which the job does not have/,
    );
    expect(log).toMatch(
      /buildkitd exited before it answered on unix:\/\/\/tmp\/docker-build-buildkitd-\w+\/buildkitd\.sock/,
    );
    expect(log).not.toContain('$ docker buildx build');
    expect(await digestOf(`${image}/buildkitd:main`)).toBe(tagged);
    expect(newObjects(before, await dockerObjects())).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
