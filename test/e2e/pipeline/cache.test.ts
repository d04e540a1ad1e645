// The layer cache as an ephemeral runner sees it: every run creates a new builder (docker-build's default), so
// nothing survives between runs except what the registry cache holds.
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { runLocal, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

interface CacheOutput {
  kind: string;
  read: string[];
  write: string | null;
  steps: number;
  cached: number;
}

/** The names of the build steps BuildKit took from the cache: `[web-deps 2/2] RUN sleep 2 && ...`. */
function cachedSteps(progress: string): string[] {
  const names = new Map<string, string>();
  const cached: string[] = [];
  for (const line of progress.split('\n')) {
    const match = /^#(\d+) (.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    if (match[2] === 'CACHED') cached.push(names.get(match[1]) ?? '');
    else if (!names.has(match[1])) names.set(match[1], match[2]);
  }
  return cached.filter((name) => /^\[.* \d+\/\d+\] (?!FROM)/.test(name));
}

const DEPS = (target: string) => new RegExp(`^\\[${target}-deps 2/2\\] RUN sleep 2`);

/**
 * The dependency layer came from the cache and the source layer was built. (BuildKit sometimes also reports the
 * `COPY --from` of the cached stage as cached, sometimes re-runs it after pulling the layer: either is fine.)
 */
function expectWarm(progress: string, target: string) {
  const cached = cachedSteps(progress);
  expect(cached).toContainEqual(expect.stringMatching(DEPS(target)));
  expect(cached).not.toContainEqual(expect.stringMatching(/COPY src\//));
}

describe('the registry cache on ephemeral runners: a new builder every run', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('cache')}`;
  let repo = '';

  async function build(target: string, extra: LocalInputs = {}): Promise<{ result: RunResult; cache: CacheOutput }> {
    const result = await runLocal(
      lab,
      repo,
      {
        images: image,
        tags: 'type=ref,event=branch',
        platforms: 'linux/amd64',
        target,
        cache: 'registry',
        scan: false,
        ...extra,
      },
      { timeoutMs: 600_000 },
    );
    expect(result.code, result.stderr.slice(-3000)).toBe(0);
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    return { result, cache: JSON.parse(outputs.cache ?? '{}') as CacheOutput };
  }

  async function commitSource(version: string) {
    writeFileSync(join(repo, 'src', 'version'), `${version}\n`);
    await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qam', version], {
      cwd: repo,
    });
  }

  async function cacheTags(): Promise<string[]> {
    const { stdout } = await client.mustDocker([
      'buildx',
      'imagetools',
      'inspect',
      '--raw',
      `${image}/cache:web-amd64-main`,
    ]);
    expect(stdout).toContain('application/vnd.oci.image.manifest.v1+json');
    // The credentials go to curl on stdin (-K -), never on its command line.
    const tags = await must(
      'curl',
      ['-sf', '-K', '-', `https://${lab.registry}/v2/${image.slice(lab.registry.length + 1)}/cache/tags/list`],
      { input: `user = "${lab.registryUser}:${lab.registryPassword}"\n` },
    );
    return ((JSON.parse(tags.stdout) as { tags?: string[] }).tags ?? []).sort();
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('cache-app');
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
  });

  it('1. a cold build on main: nothing cached; the cache is written beside the image, not among its tags', async () => {
    const { cache } = await build('web');
    expect(await cacheTags()).toEqual(['web-amd64-main']);
    const imageTags = await must(
      'curl',
      ['-sf', '-K', '-', `https://${lab.registry}/v2/${image.slice(lab.registry.length + 1)}/tags/list`],
      { input: `user = "${lab.registryUser}:${lab.registryPassword}"\n` },
    );
    expect((JSON.parse(imageTags.stdout) as { tags?: string[] }).tags).toEqual(['main']);
    expect(cache).toMatchObject({ kind: 'registry', read: ['web-amd64-main'], write: 'web-amd64-main', cached: 0 });
    expect(cache.steps).toBe(3);
  });

  it('2. a source change on main, new builder: only the source layer is rebuilt', async () => {
    await commitSource('2');
    const { cache, result } = await build('web');
    // The dependency layer came from the registry; the source layer was built.
    expectWarm(result.stderr, 'web');
    expect(cache.cached).toBeGreaterThanOrEqual(1);
    expect(cache.cached).toBe(cachedSteps(result.stderr).length);
  });

  it("3. the first build of a new branch starts warm from main's cache, and writes its own", async () => {
    await must('git', ['checkout', '-qb', 'feature/login'], { cwd: repo });
    await commitSource('3');
    const { cache, result } = await build('web');
    expect(cache.read[1]).toBe('web-amd64-main');
    expect(cache.read[0]).toMatch(/^web-amd64-feature-login-[0-9a-f]{8}$/);
    expect(cache.write).toBe(cache.read[0]);
    expectWarm(result.stderr, 'web');
  });

  it('4. two matrix jobs with different targets on one branch each keep their own cache', async () => {
    const worker = await build('worker');
    expect(worker.cache.write).toMatch(/^worker-amd64-feature-login-/);
    // The worker's dependency layer was never built before: nothing cached.
    expect(cachedSteps(worker.result.stderr)).toEqual([]);
    // ...and writing its cache did not clobber web's: web's next source change is still warm, and so is the worker.
    await commitSource('4');
    const web = await build('web');
    expectWarm(web.result.stderr, 'web');
    const again = await build('worker');
    expect(cachedSteps(again.result.stderr)).toContainEqual(expect.stringMatching(DEPS('worker')));
    const tags = await cacheTags();
    expect(tags).toContain('web-amd64-main');
    expect(tags.filter((tag) => tag.startsWith('web-amd64-feature-login-'))).toHaveLength(1);
    expect(tags.filter((tag) => tag.startsWith('worker-amd64-feature-login-'))).toHaveLength(1);
  });

  it('5. the cache registry unreachable: the build succeeds, with a warning', async () => {
    await commitSource('5');
    const { result, cache } = await build('web', { 'cache-ref': 'registry2.lab.test:5999/nowhere/cache' });
    expect(cache.cached).toBe(0);
    expect(result.stderr).toMatch(
      /the layer cache failed, the build went on without it: importing cache manifest from registry2\.lab\.test:5999\/nowhere\/cache:web-amd64-main: .*connection refused/,
    );
    expect(result.stderr).toMatch(
      /the layer cache failed, the build went on without it: exporting cache to registry: /,
    );
  });
});
