import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fakeAwsKeyId, ARM64_ONLY_SECRET_DOCKERFILE } from '../helpers/secrets.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { runLocal, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import type { RunResult } from '../helpers/run.js';

const lab = inject('lab');

const PLANTED = ARM64_ONLY_SECRET_DOCKERFILE;
const CLEAN = ['ARG BASE', 'FROM ${BASE}', 'RUN mkdir /app && echo "nothing to see" > /app/readme', ''].join('\n');

describe('the scan gate: build once, scan the pushed digest of every platform, then tag', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('gate')}`;
  let repo = '';

  async function build(
    dockerfile: string,
    tag: string,
    extra: LocalInputs = {},
  ): Promise<{ result: RunResult; outputs: Record<string, string> }> {
    writeFileSync(join(repo, 'Dockerfile.gate'), dockerfile);
    const result = await runLocal(
      lab,
      repo,
      {
        images: image,
        file: 'Dockerfile.gate',
        platforms: 'linux/amd64,linux/arm64',
        tags: `type=raw,value=${tag}`,
        scanners: 'secret',
        'reports-dir': 'reports',
        ...extra,
      },
      { timeoutMs: 600_000 },
    );
    return { result, outputs: result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>) };
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('hello-app');
    writeFileSync(join(repo, 'deploy.env'), `export AWS_ACCESS_KEY_ID=${fakeAwsKeyId()}\n`);
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('a secret in linux/arm64 only fails the gate, names the platform, and attaches no tag', async () => {
    const { result, outputs } = await build(PLANTED, 'planted');
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toMatch(/the scan gate failed on linux\/arm64/);
    expect(result.stderr).toMatch(/aws-access-key-id/);
    expect(outputs['scan-result']).toBe('failed');
    const tagged = await client.docker(['buildx', 'imagetools', 'inspect', `${image}:planted`]);
    expect(tagged.code).not.toBe(0);
    expect(tagged.stderr).toMatch(/not found/i);
    // the reports name the platform too
    const sarif = JSON.parse(readFileSync(join(repo, 'reports', 'trivy.sarif'), 'utf8')) as { runs: unknown[] };
    expect(sarif.runs).toHaveLength(2);
    expect(readFileSync(join(repo, 'reports', 'trivy-junit.xml'), 'utf8')).toMatch(/linux\/arm64[\s\S]*<failure/);
  });

  it('the same Dockerfile without the secret passes, and the tag points at the very digest that was scanned', async () => {
    const { result, outputs } = await build(CLEAN, 'clean');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    expect(outputs['scan-result']).toBe('passed');
    const scanned = JSON.parse(outputs['platform-digests'] ?? '{}') as Record<string, string>;
    for (const [platform, digest] of Object.entries(scanned)) {
      expect(result.stderr).toContain(`scanning ${platform}: ${image}@${digest}`);
    }
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', '--raw', `${image}:clean`]);
    const index = JSON.parse(stdout) as {
      manifests: { digest: string; platform: { os: string; architecture: string } }[];
    };
    const tagged = Object.fromEntries(
      index.manifests
        .filter((m) => m.platform.os !== 'unknown')
        .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
    );
    expect(tagged).toEqual(scanned);
    for (const report of ['trivy.sarif', 'gl-container-scanning-report.json', 'trivy-junit.xml']) {
      expect(existsSync(join(repo, 'reports', report))).toBe(true);
    }
  });

  it('an unpushed build (push: false, as for a fork) is scanned platform by platform from OCI layouts', async () => {
    const planted = await build(PLANTED, 'unpushed', { push: false });
    expect(planted.result.code, planted.result.stderr.slice(-3000)).toBe(1);
    expect(planted.result.stderr).toContain('not pushing: push is false');
    expect(planted.result.stderr).toMatch(/scanning linux\/arm64: \/\S*\/image-linux-arm64 \(sha256:/);
    expect(planted.result.stderr).toMatch(/the scan gate failed on linux\/arm64/);
    const clean = await build(CLEAN, 'unpushed', { push: false });
    expect(clean.result.code, clean.result.stderr.slice(-3000)).toBe(0);
    expect(clean.outputs['scan-result']).toBe('passed');
    expect((await client.docker(['buildx', 'imagetools', 'inspect', `${image}:unpushed`])).code).not.toBe(0);
  });

  it('a missing ignore file is a bad input, reported before anything is built', async () => {
    const { result } = await build(CLEAN, 'ignored', { trivyignores: 'no-such-ignore-file' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid trivyignores "no-such-ignore-file": no such file/);
    expect(result.stderr).not.toContain('$ docker');
  });

  it('fails closed, before building, when Trivy is not the pinned version', async () => {
    const pinned = await runLocal(lab, repo, { images: image, 'trivy-version': 'v0.1.0' });
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toMatch(/pinned to Trivy v0.1.0, and the trivy on PATH is v0.74.0/);
    expect(pinned.stderr).not.toContain('$ docker buildx build');
  });
});
