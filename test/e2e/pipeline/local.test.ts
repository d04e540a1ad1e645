import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining, leftoverBuilders } from '../helpers/leftovers.js';
import { parseInspect, runLocal, startLocal, type ImageFacts, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, run, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

describe('the local command builds, pushes by digest and tags, in the lab', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('local')}`;
  let repo = '';

  async function build(inputs: LocalInputs): Promise<RunResult> {
    return runLocal(lab, repo, inputs, { timeoutMs: 600_000 });
  }

  async function inspect(ref: string): Promise<ImageFacts> {
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}']);
    return parseInspect(stdout);
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('hello-app', 'https://github.com/example/hello-app.git');
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('a push to main: branch and sha tags, both platforms, the digest output is the registry’s, OCI labels', async () => {
    const result = await build({
      images: image,
      platforms: 'linux/amd64,linux/arm64',
      tags: ['type=ref,event=branch', 'type=sha'],
    });
    expect(result.stderr).toContain('pushing: push is auto and this is a push to a branch');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();

    expect(outputs.tags?.split('\n')).toEqual([`${image}:main`, `${image}:sha-${sha.slice(0, 7)}`]);
    expect(outputs.version).toBe('main');
    for (const tag of outputs.tags?.split('\n') ?? []) {
      const facts = await inspect(tag);
      expect(facts.digest).toBe(outputs.digest);
      expect(facts.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    }
    expect(outputs.image).toBe(`${image}@${outputs.digest ?? ''}`);
    expect(Object.keys(JSON.parse(outputs['platform-digests'] ?? '{}') as object).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    const labels = (await inspect(`${image}:main`)).labels;
    expect(labels).toMatchObject({
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': 'main',
      'org.opencontainers.image.source': 'https://github.com/example/hello-app',
      'org.opencontainers.image.title': 'hello-app',
    });
  });

  it('a tag v1.2.3: the semver tags and latest', async () => {
    await must('git', ['tag', 'v1.2.3'], { cwd: repo });
    await must('git', ['checkout', '--quiet', '--detach', 'v1.2.3'], { cwd: repo });
    const result = await build({
      images: image,
      platforms: 'linux/amd64,linux/arm64',
      tags: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}'],
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    expect(outputs.tags?.split('\n')).toEqual([`${image}:1.2.3`, `${image}:1.2`, `${image}:latest`]);
    expect((await inspect(`${image}:latest`)).digest).toBe(outputs.digest);
    expect((await inspect(`${image}:1.2.3`)).labels['org.opencontainers.image.version']).toBe('1.2.3');
  });

  it('load: a single-platform build goes into the engine and still reports a digest', async () => {
    const result = await build({ images: image, push: false, load: true, tags: 'type=raw,value=loaded' });
    expect(result.stderr).toContain('not pushing: push is false');
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    expect(outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const { stdout } = await must('docker', ['image', 'inspect', '--format', '{{.Id}}', `${image}:loaded`]);
    expect(outputs.imageid).toBe(stdout.trim());
    await run('docker', ['image', 'rm', `${image}:loaded`]);
  });

  it('SIGINT mid-build: exit 130, and the builder and the private Docker config are removed', async () => {
    writeFileSync(join(repo, 'Dockerfile.slow'), 'ARG BASE\nFROM ${BASE}\nRUN sleep 120\n');
    const { child, exited, stderr } = await startLocal(
      lab,
      repo,
      { images: image, file: 'Dockerfile.slow', tags: 'type=raw,value=slow' },
      'RUN sleep 120',
    );
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr()).toMatch(/error: cancelled/);
    const config = /--metadata-file=(\/[^ ]*)\/metadata\.json/.exec(stderr())?.[1] ?? '';
    expect(config).not.toBe('');
    expect(existsSync(config)).toBe(false);
    expect(await leftoverBuilders()).toEqual([]);
  });

  it('leaves no credentials on disk and no builder behind', async () => {
    // The test's own client config holds the password by design; the lab keeps it under its home.
    expect(filesContaining(credentialLocations(repo), lab.registryPassword, [lab.home, client.configDir])).toEqual([]);
    expect(await leftoverBuilders()).toEqual([]);
  });

  it('refuses bad input before doing anything', async () => {
    const result = await build({ images: image, platforms: 'linux' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Invalid platforms "linux"/);
    expect(result.stderr).not.toContain('$ docker');
  });
});
