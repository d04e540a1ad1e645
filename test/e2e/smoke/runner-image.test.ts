// The GitLab component's runner image (runner/Dockerfile), built in the lab from a lab-made base (the published one
// starts from Docker's CLI image and downloads Node.js and Trivy): every tool the job needs answers inside it.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INPUTS } from '../../../src/inputs/table.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { buildRunnerImage } from '../helpers/gitlab-docker.js';

const lab = inject('lab');
// The Trivy the scan gate is pinned to, by default.
const TRIVY = INPUTS.find((input) => input.name === 'trivy-version')?.default ?? '';
const ROOT = new URL('../../../', import.meta.url).pathname;

describe('the runner image', () => {
  const client = new DockerClient();
  const image = `docker-build-runner:${unique('e2e')}`;

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    await buildRunnerImage(client, lab, image);
  });

  afterAll(async () => {
    await client.docker(['image', 'rm', '--force', image]);
    client.dispose();
  });

  it('runs docker-build: node /opt/docker-build/dist/index.js --version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8')) as {
      version: string;
    };
    const result = await client.mustDocker([
      'run',
      '--rm',
      image,
      'node',
      '/opt/docker-build/dist/index.js',
      '--version',
    ]);
    expect(result.stdout.trim()).toBe(version);
  });

  it('has Trivy at the pinned version, and the docker CLI with buildx', async () => {
    expect((await client.mustDocker(['run', '--rm', image, 'trivy', '--version'])).stdout).toContain(
      `Version: ${TRIVY.slice(1)}\n`,
    );
    expect((await client.mustDocker(['run', '--rm', image, 'docker', 'buildx', 'version'])).stdout).toMatch(
      /github\.com\/docker\/buildx v\d+/,
    );
  });

  it('has buildkitd and buildctl at the pinned BuildKit, rootlesskit and newuidmap, for driver: buildkitd', async () => {
    const version = /^BUILDKIT_VERSION=(\S+)$/m.exec(readFileSync(`${ROOT}test/lab/versions.env`, 'utf8'))?.[1] ?? '?';
    for (const tool of ['buildkitd', 'buildctl']) {
      expect((await client.mustDocker(['run', '--rm', image, tool, '--version'])).stdout, tool).toContain(version);
    }
    expect((await client.mustDocker(['run', '--rm', image, 'rootlesskit', '--version'])).stdout).toMatch(
      /rootlesskit version \d+/,
    );
    const mode = await client.mustDocker(['run', '--rm', image, 'stat', '-c', '%A', '/usr/bin/newuidmap']);
    expect(mode.stdout.trim()).toBe('-rwsr-xr-x');
  });

  it('has the user rootless BuildKit runs as when the job is root: buildkit, uid 1000, 65536 subordinate IDs', async () => {
    const ids = await client.mustDocker(['run', '--rm', image, 'sh', '-c', 'id buildkit; cat /etc/subuid /etc/subgid']);
    expect(ids.stdout).toMatch(/uid=1000\(buildkit\) gid=1000\(buildkit\)/);
    expect(ids.stdout.match(/^buildkit:100000:65536$/gm)).toHaveLength(2);
  });
});
