import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { must, run, type RunOptions, type RunResult } from './run.js';

/**
 * A private Docker config directory, as docker-build itself uses: credentials go in with --password-stdin and the
 * directory is removed by `dispose`, so a test run leaves no lab password in ~/.docker.
 */
export class DockerClient {
  readonly configDir: string;

  /** `parent`: where the directory goes; a test may keep the lab password out of the shared temp directory. */
  constructor(parent: string = tmpdir()) {
    this.configDir = mkdtempSync(join(parent, 'e2e-docker-config-'));
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_CONFIG: this.configDir };
  }

  docker(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return run('docker', args, { env: this.env, ...options });
  }

  mustDocker(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return must('docker', args, { env: this.env, ...options });
  }

  login(registry: string, user: string, password: string): Promise<RunResult> {
    return this.docker(['login', '--username', user, '--password-stdin', registry], { input: password });
  }

  dispose(): void {
    rmSync(this.configDir, { recursive: true, force: true });
  }
}

/** A name unique to this test run, for images, tags and builders. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** The platforms of an image index, as `os/arch[/variant]`, from `imagetools inspect --raw`. */
export async function indexPlatforms(client: DockerClient, ref: string): Promise<string[]> {
  const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', ref]);
  const index = JSON.parse(stdout) as {
    manifests?: { platform?: { os: string; architecture: string; variant?: string } }[];
  };
  return (index.manifests ?? [])
    .map((m) => m.platform)
    .filter((p) => p !== undefined && p.os !== 'unknown')
    .map((p) => [p?.os, p?.architecture, p?.variant].filter(Boolean).join('/'))
    .sort();
}

/**
 * A buildx builder with the docker-container driver on the lab's BuildKit image (Docker Hub's moby/buildkit cannot be
 * pulled here). network=host lets BuildKit reach the registry on 127.0.0.1.
 */
export async function createBuilder(client: DockerClient, buildkitImage: string): Promise<string> {
  const name = unique('e2e');
  await client.mustDocker([
    'buildx',
    'create',
    '--name',
    name,
    '--driver',
    'docker-container',
    '--driver-opt',
    `image=${buildkitImage}`,
    '--driver-opt',
    'network=host',
    '--bootstrap',
  ]);
  return name;
}

export async function removeBuilder(client: DockerClient, name: string): Promise<void> {
  await client.docker(['buildx', 'rm', '--force', name]);
}

/** Builds `context` for the lab's platforms FROM the lab's base image and pushes it as `ref`. */
export async function buildAndPush(
  client: DockerClient,
  builder: string,
  lab: { platforms: string[]; baseImage: string },
  context: string,
  ref: string,
): Promise<void> {
  await client.mustDocker(
    [
      'buildx',
      'build',
      `--builder=${builder}`,
      `--platform=${lab.platforms.join(',')}`,
      `--build-arg=BASE=${lab.baseImage}`,
      `--tag=${ref}`,
      '--push',
      context,
    ],
    { timeoutMs: 600_000 },
  );
}
