// docker-build as the GitHub Action behind a corporate proxy: a recording proxy on loopback, GitHub's hosts stood in by
// a TLS server the proxy tunnels them to (a throwaway CA, trusted through NODE_EXTRA_CA_CERTS), Trivy downloaded from
// that "release" (RUNNER_TOOL_CACHE set, no trivy on PATH). The stand-in's archive is made from the lab's trivy, so it
// is not the release docker-build pins: the download goes through the proxy and is refused, as a replaced release
// would be; the runs that go on to build find the pinned Trivy in the tool cache, as a previous job left it.
//
// The lab registry (registry.lab.test) is NOT in NO_PROXY: buildx and Trivy (through the environment) and BuildKit
// (through its driver options, on the host network) reach it through the proxy, which is how the test sees that the
// variables were passed on. The second registry (registry2.lab.test) IS in NO_PROXY: the image is pushed there too,
// and the proxy must never see it.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RELEASE_PINS } from '../../../src/exec/pins.js';
import { trivyAsset } from '../../../src/scan/install.js';
import { FakeCacheService, TOKEN } from '../../helpers/cache-service.js';
import { runAction } from '../helpers/action.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { startGithubStandin, type GithubStandin } from '../helpers/github-standin.js';
import { labInputs, localArgv, parseInspect } from '../helpers/pipeline.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, run } from '../helpers/run.js';
import { sampleCommandLines } from '../helpers/sampler.js';

const lab = inject('lab');
const TRIVY = 'v0.74.0';
const DESCRIPTION = 'served by the stand-in API, through the proxy';

/** PATH with every directory that holds `trivy` replaced by a copy (symlinks) without it. */
function pathWithoutTrivy(root: string): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir, index) => {
      if (!existsSync(join(dir, 'trivy'))) return dir;
      const shadow = join(root, `path-${index}`);
      mkdirSync(shadow);
      for (const entry of readdirSync(dir)) if (entry !== 'trivy') symlinkSync(join(dir, entry), join(shadow, entry));
      return shadow;
    })
    .join(delimiter);
}

/**
 * The environment of every builder container docker-build creates during a run (`buildx_buildkit_docker-build-*`), by
 * builder name, read with `docker inspect` while it exists: what BuildKit was really given.
 */
function watchBuilderEnvs(): { envs: Map<string, string[]>; stop: () => Promise<void> } {
  const envs = new Map<string, string[]>();
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const names = (
        await run('docker', ['ps', '--filter', 'name=buildx_buildkit_docker-build-', '--format', '{{.Names}}'])
      ).stdout
        .split('\n')
        .filter((name) => name !== '' && !envs.has(name));
      for (const name of names) {
        const inspected = await run('docker', ['inspect', '--format', '{{json .Config.Env}}', name]);
        if (inspected.code === 0) envs.set(name, JSON.parse(inspected.stdout) as string[]);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return {
    envs,
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}

/** The environment of the builder container of the run whose log this is. */
function builderEnv(envs: Map<string, string[]>, log: string): string[] | undefined {
  const builder = /--name=(docker-build-[0-9a-f]+)/.exec(log)?.[1];
  return builder === undefined ? undefined : envs.get(`buildx_buildkit_${builder}0`);
}

describe('behind an HTTP proxy', () => {
  const client = new DockerClient();
  const name = unique('proxy');
  const image = `${lab.registry}/e2e/${name}`;
  const image2 = `${lab.registry2}/e2e/${name}`;
  const registry2Host = lab.registry2.split(':')[0] ?? '';
  let repo = '';
  let scratch = '';
  let trivyBinary = '';
  let github: GithubStandin;
  let proxy: RecordingProxy;
  let locked: RecordingProxy;
  const PROXY_PASSWORD = `pr0xy-${Math.random().toString(36).slice(2, 12)}`;

  /**
   * A tool cache where a previous job left the pinned Trivy (the lab's binary), its marker holding the archive's pin:
   * the run takes it from there and downloads nothing.
   */
  function seededToolCache(): string {
    const toolCache = mkdtempSync(join(scratch, 'tool-cache-'));
    const dir = join(toolCache, 'trivy', TRIVY.slice(1), process.arch);
    mkdirSync(dir, { recursive: true });
    symlinkSync(realpathSync(trivyBinary), join(dir, 'trivy'));
    const pin = RELEASE_PINS.trivy?.[TRIVY.slice(1)]?.[trivyAsset(TRIVY, 'linux', process.arch)] ?? '';
    expect(pin).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(`${dir}.complete`, `${pin}\n`);
    return toolCache;
  }

  /** The variables of a job behind `proxyUrl`, with the registry login inputs and GitHub's hosts stood in. */
  function jobEnv(proxyUrl: string, toolCache: string): Record<string, string | undefined> {
    return {
      ...labInputs(lab),
      INPUT_IMAGES: `${image}\n${image2}`,
      INPUT_TAGS: 'type=raw,value=proxied',
      'INPUT_REGISTRY-AUTH': `- registry: ${lab.registry2}\n  username: ${lab.registry2User}\n  password: ${lab.registry2Password}\n`,
      GITHUB_API_URL: 'https://api.github.com',
      HTTPS_PROXY: proxyUrl,
      https_proxy: undefined,
      HTTP_PROXY: undefined,
      http_proxy: undefined,
      // A comma in NO_PROXY: BuildKit's driver option must carry the whole list as one field.
      NO_PROXY: `${registry2Host},.internal.example`,
      no_proxy: undefined,
      NODE_EXTRA_CA_CERTS: github.caFile,
      RUNNER_TOOL_CACHE: toolCache,
      PATH: pathWithoutTrivy(mkdtempSync(join(scratch, 'path-'))),
    };
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    expect((await client.login(lab.registry2, lab.registry2User, lab.registry2Password)).code).toBe(0);
    repo = await repoFromFixture('hello-app', 'https://github.com/example/hello-app.git');
    scratch = mkdtempSync(join(tmpdir(), 'e2e-proxy-'));
    trivyBinary =
      (process.env.PATH ?? '')
        .split(delimiter)
        .map((dir) => join(dir, 'trivy'))
        .find((file) => existsSync(file)) ?? '';
    expect(trivyBinary, 'the lab’s trivy on PATH').not.toBe('');
    github = await startGithubStandin({
      repository: {
        slug: 'example/hello-app',
        body: {
          name: 'hello-app',
          html_url: 'https://github.com/example/hello-app',
          description: DESCRIPTION,
          license: { spdx_id: 'MIT' },
          default_branch: 'main',
        },
      },
      trivy: { version: TRIVY, binary: trivyBinary },
    });
    proxy = await startRecordingProxy({ routes: github.routes });
    locked = await startRecordingProxy({
      routes: github.routes,
      credentials: { user: 'ci', password: PROXY_PASSWORD },
    });
  });

  afterAll(async () => {
    await proxy.close();
    await locked.close();
    await github.close();
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the Trivy download goes through it, and the stand-in is not the pinned release: refused, both digests named, before the build, nothing in the tool cache', async () => {
    const toolCache = mkdtempSync(join(scratch, 'tool-cache-'));
    const served = github.served.length;
    const result = await runAction(
      repo,
      { name: 'push', ref: 'refs/heads/main' },
      { ...jobEnv(proxy.url, toolCache), INPUT_TAGS: 'type=raw,value=refused' },
    );
    const log = result.main.stdout + result.main.stderr;
    expect(result.main.code, log.slice(-4000)).toBe(1);
    // the release (github.com, then its redirect), through the proxy; the release's own checksum file is not asked for
    expect(proxy.hosts()).toEqual(expect.arrayContaining(['github.com:443', 'objects.githubusercontent.com:443']));
    const asked = github.served.slice(served);
    expect(asked).toEqual(
      expect.arrayContaining([
        `github.com /aquasecurity/trivy/releases/download/${TRIVY}/trivy_0.74.0_Linux-64bit.tar.gz`,
        'objects.githubusercontent.com /release-assets/trivy_0.74.0_Linux-64bit.tar.gz',
      ]),
    );
    expect(asked.filter((line) => line.includes('checksums'))).toEqual([]);
    const pin = RELEASE_PINS.trivy?.['0.74.0']?.['trivy_0.74.0_Linux-64bit.tar.gz'] ?? '';
    expect(log).toContain(
      `trivy_0.74.0_Linux-64bit.tar.gz from https://github.com/aquasecurity/trivy/releases/download/${TRIVY} is not ` +
        `the pinned release: expected sha256 ${pin}, got sha256 ${github.trivySha256 ?? ''}.`,
    );
    expect(readdirSync(toolCache)).toEqual([]);
    expect(log).not.toMatch(/^\$ docker buildx build /m);
    const inspect = await run('docker', ['buildx', 'imagetools', 'inspect', `${image}:refused`]);
    expect(inspect.code).not.toBe(0);
  });

  it('the API call and the registry traffic of buildx, BuildKit and Trivy go through it; a NO_PROXY host does not', async () => {
    const toolCache = seededToolCache();
    const served = github.served.length;
    const builders = watchBuilderEnvs();
    let result;
    try {
      result = await runAction(repo, { name: 'push', ref: 'refs/heads/main' }, jobEnv(proxy.url, toolCache));
    } finally {
      await builders.stop();
    }
    const log = result.main.stdout + result.main.stderr;
    expect(result.main.code, log.slice(-4000)).toBe(0);

    // docker-build's own request, GitHub's API, through the proxy; Trivy from the tool cache, nothing downloaded.
    expect(proxy.hosts()).toContain('api.github.com:443');
    expect(github.served.slice(served)).toEqual(['api.github.com /repos/example/hello-app']);
    expect(log).toContain(
      `Trivy ${TRIVY}: ${toolCache}/trivy/0.74.0/${process.arch}/trivy (checksum-verified release, tool cache)`,
    );

    // The tools' traffic to the lab registry went through it; BuildKit got the variables as driver options.
    expect(proxy.hosts()).toContain(lab.registry);
    expect(log).toContain(`--driver-opt=env.HTTPS_PROXY=${proxy.url}`);
    expect(log).toContain(`--driver-opt="env.NO_PROXY=${registry2Host},.internal.example"`);
    expect(builderEnv(builders.envs, log)).toEqual(
      expect.arrayContaining([`HTTPS_PROXY=${proxy.url}`, `NO_PROXY=${registry2Host},.internal.example`]),
    );
    expect(log).toContain(
      `proxy: https:// ${proxy.url}, http:// direct, except NO_PROXY ${registry2Host},.internal.example`,
    );

    // registry2 is in NO_PROXY: never asked of the proxy, and still pushed to and tagged.
    expect(proxy.hosts().filter((host) => host.startsWith(registry2Host))).toEqual([]);
    const inspect = async (ref: string) =>
      parseInspect(
        (await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}'])).stdout,
      );
    const facts = await inspect(`${image}:proxied`);
    expect((await inspect(`${image2}:proxied`)).digest).toBe(facts.digest);
    expect(result.outputs.digest).toBe(facts.digest);
    expect(result.outputs['scan-result']).toBe('passed');
    // The API's answer was used: the description and license labels are the stand-in's.
    expect(facts.labels).toMatchObject({
      'org.opencontainers.image.description': DESCRIPTION,
      'org.opencontainers.image.licenses': 'MIT',
    });
  });

  it('the Actions cache (@actions/cache, through @actions/http-client) goes through it too', async () => {
    const service = new FakeCacheService();
    await service.start();
    const cacheProxy = await startRecordingProxy({
      routes: { ...github.routes, 'cache.actions.example:80': new URL(service.base).host },
    });
    try {
      const result = await runAction(
        repo,
        { name: 'push', ref: 'refs/heads/main' },
        {
          ...jobEnv(cacheProxy.url, seededToolCache()),
          HTTP_PROXY: cacheProxy.url,
          // a cache service on a name only the proxy knows: reached through it, or not at all
          ACTIONS_CACHE_URL: 'http://cache.actions.example/',
          ACTIONS_RUNTIME_TOKEN: TOKEN,
          'INPUT_TRIVY-CACHE-DIR': mkdtempSync(join(scratch, 'trivy-cache-')),
          // the layer cache is BuildKit's own client of the service (it wants a real runtime token): not this test's
          INPUT_CACHE: 'none',
        },
      );
      const log = result.main.stdout + result.main.stderr;
      expect(result.main.code, log.slice(-4000)).toBe(0);
      const today = `docker-build-trivy-db-v2-${new Date().toISOString().slice(0, 10)}`;
      expect(log).toContain(`Trivy DB: saved to the Actions cache as ${today}`);
      expect(cacheProxy.hosts()).toContain('cache.actions.example:80');
      expect(service.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining(['GET /_apis/artifactcache/cache', 'POST /_apis/artifactcache/caches']),
      );
      expect(service.entries.map((entry) => [entry.key, entry.complete])).toEqual([[today, true]]);
    } finally {
      await cacheProxy.close();
      await service.stop();
    }
  });

  it('a proxy that asks for credentials gets them from the URL; the password is on no command line and in no log', async () => {
    const toolCache = seededToolCache();
    const url = locked.url.replace('://', `://ci:${PROXY_PASSWORD}@`);
    const sampling = sampleCommandLines(PROXY_PASSWORD);
    const builders = watchBuilderEnvs();
    let result;
    try {
      result = await runAction(repo, { name: 'push', ref: 'refs/heads/main' }, jobEnv(url, toolCache));
    } finally {
      sampling.stop();
      await builders.stop();
    }
    const log = result.main.stdout + result.main.stderr + result.post.stdout + result.post.stderr;
    expect(result.main.code, log.slice(-4000)).toBe(0);

    expect(locked.hosts()).toEqual(expect.arrayContaining(['api.github.com:443', lab.registry]));
    expect(locked.requests.filter((request) => !request.authorized)).toEqual([]);
    // BuildKit got no proxy (driver options are argv), and the log says so.
    expect(log).toContain('BuildKit gets no proxy: HTTPS_PROXY carries credentials');
    expect(log).not.toContain('--driver-opt=env.HTTPS_PROXY');
    const env = builderEnv(builders.envs, log);
    expect(env).toBeDefined();
    expect((env ?? []).filter((entry) => /proxy/i.test(entry))).toEqual([]);
    expect(log).toContain(`proxy: https:// http://***@127.0.0.1:${locked.port}`);

    expect(sampling.samples).toBeGreaterThan(100);
    expect(sampling.hits).toEqual([]);
    // `::add-mask::` lines are how the runner learns what to mask: it consumes them, they are never shown.
    expect(log).toContain(`::add-mask::${PROXY_PASSWORD}\n`);
    const shown = log
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(shown).not.toContain(PROXY_PASSWORD);
    expect(JSON.stringify(result.outputs) + result.summary).not.toContain(PROXY_PASSWORD);
  });

  it('a proxy variable that is no URL: exit 2 naming it, before anything runs or is asked of the proxy', async () => {
    const before = proxy.requests.length;
    const served = github.served.length;
    const toolCache = mkdtempSync(join(scratch, 'tool-cache-'));
    const env = {
      ...jobEnv(proxy.url, toolCache),
      HTTPS_PROXY: undefined,
      https_proxy: 'http://ci:hunter2@proxy.corp:port',
    };
    const result = await runAction(repo, { name: 'push', ref: 'refs/heads/main' }, env);
    const log = result.main.stdout + result.main.stderr;
    expect(result.main.code, log).toBe(2);
    expect(log).toContain('Invalid https_proxy "http://***@proxy.corp:port": expected a proxy URL');
    expect(log).not.toContain('hunter2');
    expect(log).not.toMatch(/^\$ (docker|trivy|tar)/m);
    expect(proxy.requests.length).toBe(before);
    expect(github.served.length).toBe(served);
    expect(readdirSync(toolCache)).toEqual([]);
  });

  it.each([
    ['Node 20', 'node'],
    ['Node 24', 'node24'],
  ])('%s: plan reads the repository through the proxy and shows the decision', async (_name, which) => {
    const node =
      which === 'node' ? 'node' : ((await must('bash', ['scripts/node24.sh'])).stdout.trim().split('\n').pop() ?? '');
    const before = github.served.length;
    const result = await run(node, localArgv('plan', {}), {
      cwd: repo,
      env: {
        ...process.env,
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SHA: (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim(),
        GITHUB_REPOSITORY: 'example/hello-app',
        GITHUB_API_URL: 'https://api.github.com',
        HTTPS_PROXY: proxy.url,
        NO_PROXY: registry2Host,
        NODE_EXTRA_CA_CERTS: github.caFile,
        INPUT_IMAGES: image,
        // The proxy is on loopback: without the host network, the builder's container could not reach it (a warning).
        'INPUT_DRIVER-OPTS': 'network=host',
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await must(node, ['--version'])).stdout).toMatch(which === 'node' ? /^v20\./ : /^v24\./);
    expect(github.served.slice(before)).toEqual(['api.github.com /repos/example/hello-app']);
    const plan = JSON.parse(result.stdout) as { proxy: unknown; labels: Record<string, string> };
    expect(plan.labels['org.opencontainers.image.description']).toBe(DESCRIPTION);
    expect(plan.proxy).toEqual({
      https: proxy.url,
      http: null,
      noProxy: [registry2Host],
      buildkit: { variables: ['HTTPS_PROXY', 'NO_PROXY'], reason: 'passed as driver options' },
      warnings: [],
    });
  });
});
