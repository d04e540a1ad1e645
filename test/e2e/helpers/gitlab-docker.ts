// gitlab-ci-local's docker executor in the lab: jobs in containers of the runner image, with the lab's stand-ins for
// the Docker Hub images gitlab-ci-local expects (helper, wait), Docker-in-Docker and rootless BuildKit made from this
// machine's binaries (test/lab/lib/gitlab.sh), and the registries reached through the lab's forwarder.
//
// What gitlab-ci-local 4.70.1 passes where (read from its source, src/job.ts): `--privileged`, `--volume` and
// `--extra-host` go to the job container AND to every service container alike (there is no per-service option);
// every job variable reaches the services too, as `-e`. The wait image is run once per exposed TCP port of a service
// image, on the job's network, without the extra hosts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerClient } from './docker.js';
import { parseExports, type LabEnv } from './lab-env.js';
import { must, run, type RunResult } from './run.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const GITLAB_CI_LOCAL = `${ROOT}node_modules/.bin/gitlab-ci-local`;

/** The GitLab component's builder modes that need a container executor (`shell` is the shell executor's). */
export type GitlabDockerMode = 'dind' | 'socket' | 'buildkit-service' | 'buildkitd';
export const GITLAB_DOCKER_MODES: readonly GitlabDockerMode[] = ['dind', 'socket', 'buildkit-service', 'buildkitd'];

/** The lab's images and address for the docker executor, as `lab.sh env` names them. */
export interface GitlabDockerLab {
  /** gitlab-ci-local's `--helper-image`: busybox, bash and rsync */
  helperImage: string;
  /** gitlab-ci-local's `--wait-image`: `IMAGE HOST:PORT -t SECONDS` */
  waitImage: string;
  /** docker:dind's stand-in: the lab engine, TLS under DOCKER_TLS_CERTDIR, EXPOSE 2375 2376 */
  dindImage: string;
  /** moby/buildkit:rootless's stand-in: ENTRYPOINT rootlesskit buildkitd, USER 1000, EXPOSE 1234 */
  buildkitRootlessImage: string;
  /** where containers reach the registries (`--add-host NAME:ADDRESS`); they listen on the host's 127.0.0.1 only */
  forwardAddress: string;
  /** registry host names (without ports) that must resolve to forwardAddress in containers */
  registryHosts: string[];
}

/** Reads the lab's docker-executor names from `lab.sh env` (the one place they are written). */
export async function readGitlabDockerLab(): Promise<GitlabDockerLab> {
  const vars = parseExports((await must('bash', [`${ROOT}test/lab/lab.sh`, 'env'])).stdout);
  const get = (name: string): string => {
    const value = vars.get(name);
    if (value === undefined || value === '') throw new Error(`lab env lacks ${name}: run npm run lab:up`);
    return value;
  };
  return {
    helperImage: get('LAB_GCL_HELPER_IMAGE'),
    waitImage: get('LAB_GCL_WAIT_IMAGE'),
    dindImage: get('LAB_DIND_IMAGE'),
    buildkitRootlessImage: get('LAB_BUILDKIT_ROOTLESS_IMAGE'),
    forwardAddress: get('LAB_FORWARD_ADDRESS'),
    registryHosts: [get('LAB_REGISTRY'), get('LAB_REGISTRY2')].map((address) => address.replace(/:\d+$/, '')),
  };
}

/** Where the dind mode's service and job share the client certificates (GitLab's runner: a `/certs/client` volume). */
export const DIND_CLIENT_CERTS = '/certs/client';

/**
 * gitlab-ci-local's arguments for the docker executor in `mode` (never `--force-shell-executor`): the lab's helper and
 * wait images, images taken from the local engine when there, the registries' names pointed at the forwarder, and per
 * mode what the runner would be configured with:
 * - dind: `--privileged` (dockerd), and `certsDir` bound at /certs/client in the service and the job (GitLab's runner
 *   shares an anonymous volume; gitlab-ci-local has no such thing, and a named volume would outlive the run);
 * - socket: the host's socket bound in;
 * - buildkit-service: `--privileged`, for rootless BuildKit in the service (newuidmap cannot write uid_map in an
 *   unprivileged container here, even with seccomp and AppArmor unconfined; gitlab-ci-local has no --security-opt);
 * - buildkitd: `--privileged`, for a rootful buildkitd in the job.
 */
export function gitlabDockerArgs(mode: GitlabDockerMode, gl: GitlabDockerLab, certsDir?: string): string[] {
  const args = [
    '--no-color',
    '--helper-image',
    gl.helperImage,
    '--wait-image',
    gl.waitImage,
    '--pull-policy',
    'if-not-present',
    ...gl.registryHosts.flatMap((host) => ['--extra-host', `${host}:${gl.forwardAddress}`]),
  ];
  switch (mode) {
    case 'dind':
      if (certsDir === undefined) throw new Error('the dind mode needs a directory for the client certificates');
      return [...args, '--privileged', '--volume', `${certsDir}:${DIND_CLIENT_CERTS}`];
    case 'socket':
      return [...args, '--volume', '/var/run/docker.sock:/var/run/docker.sock'];
    case 'buildkit-service':
    case 'buildkitd':
      return [...args, '--privileged'];
  }
}

/**
 * Builds the runner image (runner/Dockerfile) from the lab's base, as `tag`, into the local engine, where the docker
 * executor takes it (`--pull-policy if-not-present`). `client` must be logged in to the lab registry (the base is
 * there). Bundles dist/ first when it is missing.
 */
export async function buildRunnerImage(client: DockerClient, lab: LabEnv, tag: string): Promise<void> {
  if (!existsSync(`${ROOT}dist/index.js`)) await must('npm', ['run', 'build'], { cwd: ROOT, timeoutMs: 300_000 });
  const builder = `gcl-runner-${tag.replace(/[^a-z0-9]/g, '-')}`;
  await client.mustDocker([
    'buildx',
    'create',
    '--name',
    builder,
    '--driver',
    'docker-container',
    '--driver-opt',
    `image=${lab.buildkitImage}`,
    '--driver-opt',
    'network=host',
    '--bootstrap',
  ]);
  try {
    await client.mustDocker(
      [
        'buildx',
        '--builder',
        builder,
        'build',
        '--file',
        'runner/Dockerfile',
        '--build-arg',
        `BASE=${lab.runnerBaseImage}`,
        '--build-arg',
        'NODE_SOURCE=base',
        '--build-arg',
        'TRIVY_SOURCE=base',
        '--build-arg',
        'BUILDKIT_SOURCE=base',
        '--build-arg',
        'COSIGN_SOURCE=none',
        '--provenance=false',
        '--tag',
        tag,
        '--load',
        '.',
      ],
      { cwd: ROOT, timeoutMs: 300_000 },
    );
  } finally {
    await client.docker(['buildx', 'rm', '--force', builder]);
  }
}

/**
 * Runs the pipeline of `repo` with gitlab-ci-local's docker executor in `mode`. `secrets` reach the jobs through
 * gitlab-ci-local's GCL_VARIABLE_<NAME> environment (no file, no command line); `variables` with --variable. For
 * dind, the client certificates' directory is made under `scratch` and removed after, so no key outlives the run.
 * The result's stdout is both streams, as the job log shows them.
 */
export async function runGitlabDocker(
  repo: string,
  mode: GitlabDockerMode,
  gl: GitlabDockerLab,
  options: {
    scratch: string;
    variables?: Record<string, string>;
    secrets?: Record<string, string>;
    extra?: string[];
    /** a runner that does not allow privileged containers, whatever the mode asks */
    unprivileged?: boolean;
  },
): Promise<RunResult> {
  const certsDir = mode === 'dind' ? mkdtempSync(join(options.scratch, 'gcl-dind-certs-')) : undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(options.secrets ?? {})) env[`GCL_VARIABLE_${name}`] = value;
  const variables = Object.entries(options.variables ?? {}).flatMap(([name, value]) => [
    '--variable',
    `${name}=${value}`,
  ]);
  try {
    const result = await run(
      GITLAB_CI_LOCAL,
      [
        ...gitlabDockerArgs(mode, gl, certsDir).filter(
          (arg) => options.unprivileged !== true || arg !== '--privileged',
        ),
        ...variables,
        ...(options.extra ?? []),
      ],
      { cwd: repo, env, timeoutMs: 600_000 },
    );
    return { ...result, stdout: result.stdout + result.stderr };
  } finally {
    if (certsDir !== undefined) rmSync(certsDir, { recursive: true, force: true });
  }
}

/** What the docker executor can leave behind, by name: containers, networks and volumes. */
export interface DockerObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export async function dockerObjects(): Promise<DockerObjects> {
  const list = async (args: string[]) =>
    (await must('docker', args)).stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  return {
    containers: await list(['ps', '--all', '--format', '{{.Names}}']),
    networks: await list(['network', 'ls', '--format', '{{.Name}}']),
    volumes: await list(['volume', 'ls', '--format', '{{.Name}}']),
  };
}

/** What exists now that did not `before`. */
export function newObjects(before: DockerObjects, after: DockerObjects): DockerObjects {
  const added = (a: string[], b: string[]) => b.filter((name) => !a.includes(name));
  return {
    containers: added(before.containers, after.containers),
    networks: added(before.networks, after.networks),
    volumes: added(before.volumes, after.volumes),
  };
}
