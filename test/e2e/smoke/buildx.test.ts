import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildAndPush, createBuilder, DockerClient, indexPlatforms, removeBuilder, unique } from '../helpers/docker.js';

const lab = inject('lab');

describe('buildx with the docker-container driver on the lab BuildKit image', () => {
  const client = new DockerClient();
  const context = mkdtempSync(join(tmpdir(), 'e2e-buildx-'));
  let builder = '';

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    builder = await createBuilder(client, lab.buildkitImage);
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        'ARG BASE',
        'FROM $BASE AS build',
        'RUN uname -m > /arch && echo "built on $(uname -m)" > /built',
        'FROM $BASE',
        'COPY --from=build /arch /built /',
        'CMD ["cat", "/arch"]',
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await removeBuilder(client, builder);
    client.dispose();
    rmSync(context, { recursive: true, force: true });
  });

  it('builds a two-stage Dockerfile for amd64 and arm64, pushes it, and runs the arm64 RUN under QEMU', async () => {
    const ref = `${lab.registry}/smoke/multi:${unique('t')}`;
    await buildAndPush(client, builder, lab, context, ref);

    expect(await indexPlatforms(client, ref)).toEqual(['linux/amd64', 'linux/arm64']);

    // What each platform's RUN step saw as its machine: proof that the arm64 step really ran under emulation.
    for (const [platform, machine] of [
      ['linux/amd64', 'x86_64'],
      ['linux/arm64', 'aarch64'],
    ] as const) {
      const { stdout } = await client.mustDocker(['run', '--rm', '--pull', 'always', '--platform', platform, ref]);
      expect(stdout.trim()).toBe(machine);
    }
    await client.docker(['image', 'rm', ref]);
  });
});
