// Four pipelines at once, on four branches of one repository, pushing to the same image with the registry cache:
// every branch gets its own tags and digest, `latest` comes only from the default branch, and each branch keeps its
// own cache key.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { leftoverBuilders } from '../helpers/leftovers.js';
import { runLocal } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must } from '../helpers/run.js';

const lab = inject('lab');
const BRANCHES = ['main', 'feature-a', 'feature-b', 'feature-c'];

describe('four pipelines at once on four branches of one repository', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('concurrent')}`;
  const dirs: string[] = [];
  let origin = '';

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    origin = await repoFromFixture('cache-app');
    // One working tree per branch, as four runners would check them out, each with its own source change.
    for (const branch of BRANCHES) {
      const dir = mkdtempSync(join(tmpdir(), `e2e-concurrent-${branch}-`));
      cpSync(origin, dir, { recursive: true });
      // A clone knows its default branch from origin/HEAD, as a runner's checkout does.
      await must('git', ['remote', 'add', 'origin', origin], { cwd: dir });
      await must('git', ['fetch', '-q', 'origin'], { cwd: dir });
      await must('git', ['remote', 'set-head', 'origin', 'main'], { cwd: dir });
      await must('git', ['checkout', '-q', '-B', branch], { cwd: dir });
      writeFileSync(join(dir, 'src', 'version'), `${branch}\n`);
      await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qam', branch], {
        cwd: dir,
      });
      dirs.push(dir);
    }
  });

  afterAll(() => {
    client.dispose();
    for (const dir of [origin, ...dirs]) rmSync(dir, { recursive: true, force: true });
  });

  it('each branch gets its own tag and digest, latest only from main, and its own cache', async () => {
    const results = await Promise.all(
      dirs.map((dir) =>
        runLocal(
          lab,
          dir,
          {
            images: image,
            tags: ['type=ref,event=branch', 'type=raw,value=latest,enable={{is_default_branch}}'],
            target: 'web',
            platforms: 'linux/amd64',
            cache: 'registry',
            scan: false,
          },
          { timeoutMs: 600_000 },
        ),
      ),
    );
    const digests: Record<string, string> = {};
    for (const [index, result] of results.entries()) {
      const branch = BRANCHES[index] ?? '';
      expect(result.code, `${branch}: ${result.stderr.slice(-2000)}`).toBe(0);
      const outputs = JSON.parse(result.stdout) as Record<string, string>;
      digests[branch] = outputs.digest ?? '';
      const tags = (outputs.tags ?? '').split('\n');
      expect(tags).toContain(`${image}:${branch}`);
      expect(tags.includes(`${image}:latest`), branch).toBe(branch === 'main');
      expect((JSON.parse(outputs.cache ?? '{}') as { write: string }).write).toBe(`web-amd64-${branch}`);
    }
    expect(new Set(Object.values(digests)).size).toBe(4);
    const digestOf = async (ref: string) =>
      (
        JSON.parse(
          (await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'])).stdout,
        ) as {
          digest: string;
        }
      ).digest;
    for (const branch of BRANCHES) expect(await digestOf(`${image}:${branch}`), branch).toBe(digests[branch]);
    expect(await digestOf(`${image}:latest`)).toBe(digests.main);
    for (const branch of BRANCHES) expect(await digestOf(`${image}/cache:web-amd64-${branch}`)).toMatch(/^sha256:/);
    expect(await leftoverBuilders()).toEqual([]);
  });
});
