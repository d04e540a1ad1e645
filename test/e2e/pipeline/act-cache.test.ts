// GitHub's cache service as BuildKit's gha cache uses it, through act's cache server (the v1 API that GHES and act
// serve): each act run is a new runner with a new builder, so only the cache service carries layers between runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import { unique } from '../helpers/docker.js';
import { repoFromFixture } from '../helpers/repo.js';
import { sampleCommandLines } from '../helpers/sampler.js';
import { must, type RunResult } from '../helpers/run.js';

const lab = inject('lab');

interface CacheOutput {
  kind: string;
  read: string[];
  write: string | null;
  steps: number;
  cached: number;
}

/** The `output TARGET cache=JSON` lines the workflow's last step prints, by target. */
function cacheOutputs(log: string): Record<string, CacheOutput> {
  const outputs: Record<string, CacheOutput> = {};
  for (const match of log.matchAll(/\| output (\w+) cache=(.*)$/gm)) {
    outputs[match[1] ?? ''] = JSON.parse(match[2] ?? '{}') as CacheOutput;
  }
  return outputs;
}

describe('the gha cache through act: matrix jobs, branches, and an unreachable cache service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-act-cache-'));
  const cacheServer = join(dir, 'cache-server');
  const image = `${lab.registry}/e2e/${unique('actcache')}`;
  let repo = '';

  async function act(targets: string[], ...extra: string[]): Promise<RunResult> {
    const secretFile = join(dir, 'secrets.env');
    writeFileSync(secretFile, `REGISTRY_PASSWORD=${lab.registryPassword}\n`, { mode: 0o600 });
    try {
      const result = await runAct(
        repo,
        '.github/workflows/image.yml',
        [
          ...labActVars(lab, image),
          `--var=TARGETS=${JSON.stringify(targets)}`,
          `--secret-file=${secretFile}`,
          ...extra,
        ],
        cacheServer,
      );
      expect(result.code, result.stdout.slice(-4000)).toBe(0);
      return result;
    } finally {
      rmSync(secretFile, { force: true });
    }
  }

  async function commitSource(version: string) {
    writeFileSync(join(repo, 'src', 'version'), `${version}\n`);
    await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qam', version], {
      cwd: repo,
    });
  }

  beforeAll(async () => {
    repo = await repoFromFixture(['cache-app', 'act-cache'], 'https://github.com/example/cache-app.git', true);
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('1. a cold build on main: gha chosen by itself, nothing cached, the token in no command line', async () => {
    // Every JWT starts with the base64 of `{"alg":`: no process's command line may hold one during the run.
    const sampling = sampleCommandLines('eyJhbGci');
    const result = await act(['web']).finally(() => {
      sampling.stop();
    });
    expect(sampling.samples).toBeGreaterThan(50);
    expect(sampling.hits).toEqual([]);
    const { web } = cacheOutputs(result.stdout);
    expect(web).toMatchObject({ kind: 'gha', write: web?.read[0], cached: 0 });
    expect(web?.read).toEqual([expect.stringMatching(/-web-amd64-main$/)]);
    expect(result.stdout).toContain('--cache-to=type=gha,scope=');
    // act's runtime token is a JWT: it reaches BuildKit through buildx's environment, and appears nowhere in the log.
    expect(result.stdout).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    expect(result.stdout).not.toMatch(/,token=|,url=/);
    // BuildKit exported the cache to the service
    expect(result.stdout).toMatch(/#\d+ (exporting to GitHub Actions Cache|preparing build cache for export)/);
  });

  it('2. a source change on main: the dependency layer comes from the cache service', async () => {
    await commitSource('2');
    const { web } = cacheOutputs((await act(['web'])).stdout);
    expect(web?.cached).toBeGreaterThanOrEqual(1);
    expect(web?.cached).toBeLessThan(web?.steps ?? 0);
  });

  it("3. the first build of a new branch starts warm from main's cache", async () => {
    await must('git', ['checkout', '-qb', 'feature/login'], { cwd: repo });
    await commitSource('3');
    const { web } = cacheOutputs((await act(['web'])).stdout);
    expect(web?.read).toEqual([
      expect.stringMatching(/-web-amd64-feature-login-[0-9a-f]{8}$/),
      expect.stringMatching(/-web-amd64-main$/),
    ]);
    expect(web?.cached).toBeGreaterThanOrEqual(1);
  });

  it('4. a matrix of two targets, run at once: each job keeps its own cache', async () => {
    const first = cacheOutputs((await act(['web', 'worker'])).stdout);
    expect(first.web?.write).not.toBe(first.worker?.write);
    expect(first.worker?.cached).toBe(0);
    await commitSource('4');
    const second = cacheOutputs((await act(['web', 'worker'])).stdout);
    for (const target of ['web', 'worker']) {
      expect(second[target]?.cached, target).toBeGreaterThanOrEqual(1);
      expect(second[target]?.cached, target).toBeLessThan(second[target]?.steps ?? 0);
    }
  });

  it('5. the cache service unreachable: the build succeeds, with a warning', async () => {
    await commitSource('5');
    // act uses a given ACTIONS_CACHE_URL instead of starting its own server: one where nothing listens.
    const result = await act(['web'], '--env=ACTIONS_CACHE_URL=http://127.0.0.1:9/');
    expect(cacheOutputs(result.stdout).web?.cached).toBe(0);
    expect(result.stdout).toMatch(/the layer cache failed, the build went on without it: /);
  });
});
