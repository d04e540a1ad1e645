// gitlab-ci-local's docker executor (no --force-shell-executor) in each builder mode of the GitLab component, with
// minimal pipelines that stand where the component will: jobs in the runner image, the lab's helper and wait images,
// Docker-in-Docker with TLS, the host's socket, a rootless BuildKit service, and a buildkitd in the job. Each job
// builds FROM the lab's base image and pushes; the test checks the registry and that nothing is left behind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import {
  BUILDKIT_SERVICE_ENDPOINT,
  buildRunnerImage,
  dockerObjects,
  GITLAB_DOCKER_MODES,
  modeServices,
  modeVariables,
  newObjects,
  readGitlabDockerLab,
  runGitlabDocker,
  type GitlabDockerLab,
  type GitlabDockerMode,
} from '../helpers/gitlab-docker.js';
import { must } from '../helpers/run.js';

const lab = inject('lab');

const LOGIN = 'echo "$LAB_REGISTRY_PASSWORD" | docker login -u "$LAB_REGISTRY_USER" --password-stdin "$LAB_REGISTRY"';
const DOCKERFILE = `printf 'FROM %s\\nRUN echo built > /built\\n' "$LAB_BASE_IMAGE" > Dockerfile.lab`;
const BUILD = 'docker buildx --builder "$BUILDER" build --progress plain -f Dockerfile.lab --tag "$TARGET" --push .';

/** The job's script in each mode: make a builder the way that mode allows, build and push. */
function minimalScript(mode: GitlabDockerMode): { script: string[]; after_script?: string[] } {
  switch (mode) {
    case 'dind':
      return {
        script: [
          "docker info --format 'engine {{.ServerVersion}}'",
          LOGIN,
          // buildx refuses TLS settings from the environment ("could not create a builder instance with TLS data
          // loaded from environment"); a context made from them is GitLab's documented way round.
          'docker context create lab-tls',
          'docker buildx create --name "$BUILDER" --driver docker-container --driver-opt "image=$LAB_BUILDKIT_IMAGE,network=host" --bootstrap lab-tls',
          DOCKERFILE,
          BUILD,
        ],
      };
    case 'socket':
      return {
        script: [
          "docker info --format 'engine {{.ServerVersion}}'",
          LOGIN,
          'docker buildx create --name "$BUILDER" --driver docker-container --driver-opt "image=$LAB_BUILDKIT_IMAGE,network=host" --bootstrap',
          DOCKERFILE,
          BUILD,
          'docker buildx rm --force "$BUILDER"',
        ],
        // The builder runs on the host's engine: if the script stopped early, it must still go.
        after_script: ['docker rm --force --volumes "buildx_buildkit_${BUILDER}0" >/dev/null 2>&1 || true'],
      };
    case 'buildkit-service':
      return {
        script: [
          LOGIN,
          `docker buildx create --name "$BUILDER" --driver remote --bootstrap ${BUILDKIT_SERVICE_ENDPOINT}`,
          DOCKERFILE,
          BUILD,
        ],
      };
    case 'buildkitd':
      return {
        script: [
          '(buildkitd --addr unix:///run/buildkit/buildkitd.sock >/tmp/buildkitd.log 2>&1 &)',
          'for i in $(seq 1 60); do buildctl --addr unix:///run/buildkit/buildkitd.sock debug workers >/dev/null 2>&1 && break; sleep 0.5; done',
          'buildctl --addr unix:///run/buildkit/buildkitd.sock debug workers',
          LOGIN,
          'docker buildx create --name "$BUILDER" --driver remote --bootstrap unix:///run/buildkit/buildkitd.sock',
          DOCKERFILE,
          BUILD,
        ],
      };
  }
}

/** A one-job pipeline for `mode` in the runner image. JSON is YAML. */
function minimalPipeline(mode: GitlabDockerMode, gl: GitlabDockerLab, runnerImage: string): string {
  const services = modeServices(mode, gl);
  const job = {
    image: runnerImage,
    ...(services.length > 0 ? { services } : {}),
    variables: modeVariables(mode),
    ...minimalScript(mode),
  };
  return `${JSON.stringify({ [mode]: job }, null, 2)}\n`;
}

describe("gitlab-ci-local's docker executor in the lab", () => {
  // Lab credentials stay out of the shared temp directory: the client's config and the dind certificates go here.
  const scratch = mkdtempSync(join(lab.home, 'e2e-gitlab-docker-'));
  const client = new DockerClient(scratch);
  const runnerImage = `docker-build-runner:${unique('gcl')}`;
  const target = `${lab.registry}/e2e/${unique('gitlab-docker')}`;
  let gl: GitlabDockerLab;

  beforeAll(async () => {
    gl = await readGitlabDockerLab();
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    await buildRunnerImage(client, lab, runnerImage);
  });

  afterAll(async () => {
    await client.docker(['image', 'rm', '--force', runnerImage]);
    client.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function repoFor(mode: GitlabDockerMode): Promise<string> {
    const repo = join(scratch, `repo-${mode}`);
    mkdirSync(repo);
    writeFileSync(join(repo, '.gitlab-ci.yml'), minimalPipeline(mode, gl, runnerImage));
    const git = (...args: string[]) => must('git', args, { cwd: repo });
    await git('init', '--quiet', '--initial-branch=main');
    await git('add', '--all');
    await git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '--quiet', '-m', mode);
    return repo;
  }

  it.each(GITLAB_DOCKER_MODES)('%s: the job builds FROM the lab base and pushes, and nothing is left', async (mode) => {
    const repo = await repoFor(mode);
    const before = await dockerObjects();
    const result = await runGitlabDocker(repo, mode, gl, {
      scratch,
      variables: {
        LAB_REGISTRY: lab.registry,
        LAB_REGISTRY_USER: lab.registryUser,
        LAB_BUILDKIT_IMAGE: lab.buildkitImage,
        LAB_BASE_IMAGE: lab.baseImage,
        TARGET: `${target}:${mode}`,
        BUILDER: unique(`gcl-${mode}`),
      },
      secrets: { LAB_REGISTRY_PASSWORD: lab.registryPassword },
    });
    const log = result.stdout;
    expect(result.code, log.slice(-4000)).toBe(0);
    expect(log).toMatch(new RegExp(`PASS\\s+${mode}`));
    // the job ran in a container of the runner image, not in the shell executor
    expect(log).toMatch(new RegExp(`${mode}\\s+starting ${runnerImage.replace(/[.]/g, '\\.')}`));
    expect(log).toMatch(/RUN echo built > \/built/);
    for (const service of modeServices(mode, gl) as { name: string }[]) {
      expect(log).toContain(`service image: ${service.name} healthcheck passed`);
    }
    if (mode === 'dind' || mode === 'socket') expect(log).toMatch(/engine 20\.10\./);
    expect(log).not.toContain(lab.registryPassword);
    const pushed = await client.docker(['buildx', 'imagetools', 'inspect', `${target}:${mode}`]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(newObjects(before, await dockerObjects())).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
