import { ARM64_ONLY_SECRET_DOCKERFILE, fakeAwsKeyId } from '../helpers/secrets.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildAndPush, createBuilder, DockerClient, removeBuilder, unique } from '../helpers/docker.js';
import { scanSecrets } from '../helpers/trivy.js';

const lab = inject('lab');

describe('trivy scans lab images from the registry, one platform at a time', () => {
  const client = new DockerClient();
  const context = mkdtempSync(join(tmpdir(), 'e2e-trivy-'));
  let builder = '';
  let planted = '';
  let clean = '';

  async function build(ref: string, dockerfile: string): Promise<void> {
    writeFileSync(join(context, 'Dockerfile'), dockerfile);
    await buildAndPush(client, builder, lab, context, ref);
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    builder = await createBuilder(client, lab.buildkitImage);
    writeFileSync(join(context, 'deploy.env'), `export AWS_ACCESS_KEY_ID=${fakeAwsKeyId()}\n`);
    // The key goes into the arm64 variant only: a scan that ignored --platform would miss it or see it everywhere.
    planted = `${lab.registry}/smoke/secret:${unique('t')}`;
    await build(planted, ARM64_ONLY_SECRET_DOCKERFILE);
    clean = `${lab.registry}/smoke/clean:${unique('t')}`;
    await build(
      clean,
      ['ARG BASE', 'FROM $BASE', 'RUN mkdir /app && echo "nothing to see" > /app/readme', ''].join('\n'),
    );
  });

  afterAll(async () => {
    await removeBuilder(client, builder);
    client.dispose();
    rmSync(context, { recursive: true, force: true });
  });

  it('finds the planted AWS key in linux/arm64 only', async () => {
    expect(await scanSecrets(client, planted, 'linux/arm64')).toEqual([
      { target: '/app/deploy.env', ruleId: 'aws-access-key-id', severity: 'CRITICAL' },
    ]);
    expect(await scanSecrets(client, planted, 'linux/amd64')).toEqual([]);
  });

  it('finds nothing in a clean image on either platform', async () => {
    for (const platform of lab.platforms) {
      expect(await scanSecrets(client, clean, platform)).toEqual([]);
    }
  });
});
