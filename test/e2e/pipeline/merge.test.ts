// Distributed multi-platform builds: one job per platform builds and pushes its image by digest alone (`push:
// digest`: no gate, no tag, a digest file), then `merge` joins the digests into one index pushed by digest, runs the
// scan gate on every platform of it, and only then attaches the tags. Through the local command, act (a real two-job
// matrix and a merge job) and gitlab-ci-local (`parallel: matrix` and the merge component).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
// act's artifact server listens on 34567 unless told, and exits at once when another act run holds it.
import { freePort } from '../helpers/buildkitd.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { credentialLocations, filesContaining } from '../helpers/leftovers.js';
import { parseInspect, registryTags, runLocal, type ImageFacts, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, type RunResult } from '../helpers/run.js';

const lab = inject('lab');
const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
const ZERO_DIGEST = `sha256:${'0'.repeat(64)}`;

interface Run {
  result: RunResult;
  outputs: Record<string, string>;
}

/** `text` as a literal in a regular expression. */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The JSON object of a JSON output (platform-digests, scan-counts). */
const json = (text: string | undefined) => JSON.parse(text ?? '{}') as Record<string, unknown>;

/** The lines of the log that create an index or a tag for real: `imagetools create` without `--dry-run`. */
const creates = (log: string) =>
  log.split('\n').filter((line) => line.includes('$ docker buildx imagetools create') && !line.includes('--dry-run'));

/** The builders the runs of this file created (from their logs): other files' runs may share the engine. */
const builders = new Set<string>();
function noteBuilders(log: string): void {
  for (const match of log.matchAll(/\$ docker buildx create --name=(\S+)/g)) builders.add(match[1] ?? '');
}

/** The layer cache keys the builds of a log wrote (`cache: registry (...); reads ...; writes amd64-main`), sorted. */
const cacheKeys = (log: string) => [...log.matchAll(/\bcache: \w+ \(.*; writes (\S+)$/gm)].map((m) => m[1]).sort();

async function commitAll(repo: string, message: string): Promise<void> {
  await must('git', ['add', '--all'], { cwd: repo });
  await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', message], {
    cwd: repo,
  });
}

/** The vulnerable fixture's Dockerfile with its findings in linux/arm64 only (linux/amd64 gets no packages). */
function arm64OnlyVulnDockerfile(): string {
  const dockerfile = readFileSync(new URL('../fixtures/vuln-app/Dockerfile', import.meta.url), 'utf8');
  const planted = dockerfile.replace('ARG ARM64_ONLY=false', 'ARG ARM64_ONLY=true');
  if (planted === dockerfile) throw new Error('vuln-app/Dockerfile no longer declares ARG ARM64_ONLY=false');
  return planted;
}

describe('distributed multi-platform: one platform per job pushed by digest, merged, gated on every platform, tagged', () => {
  const client = new DockerClient();

  async function inspect(ref: string): Promise<ImageFacts> {
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}']);
    return parseInspect(stdout);
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
  });

  afterAll(() => {
    client.dispose();
  });

  describe('the local command', () => {
    const image = `${lab.registry}/e2e/${unique('merge')}`;
    let repo = '';
    /** platform → what its `build --push digest` run gave */
    const built = new Map<string, Run>();
    let merged: Run | undefined;

    async function local(command: 'build' | 'merge', inputs: LocalInputs, cwd = repo): Promise<Run> {
      const result = await runLocal(lab, cwd, inputs, { command, timeoutMs: 300_000 });
      noteBuilders(result.stderr);
      return { result, outputs: result.stdout === '' ? {} : (JSON.parse(result.stdout) as Record<string, string>) };
    }

    /** The reference by digest a platform's run pushed (its `image` output). */
    const source = (platform: string) => built.get(platform)?.outputs.image ?? '';

    beforeAll(async () => {
      repo = await repoFromFixture('hello-app');
    });

    afterAll(() => {
      rmSync(repo, { recursive: true, force: true });
    });

    it('each platform alone: pushed by digest, its digest file written, no gate run and no tag attached', async () => {
      // Two matrix jobs at once, in one checkout: each writes a digest file of its own.
      const runs = await Promise.all(
        PLATFORMS.map(async (platform) => ({
          platform,
          run: await local('build', { images: image, platforms: platform, push: 'digest' }),
        })),
      );
      for (const { platform, run } of runs) {
        const { result, outputs } = run;
        expect(result.code, result.stderr.slice(-3000)).toBe(0);
        built.set(platform, run);
        const slug = platform.replace('/', '-');
        expect(outputs['digest-file']).toBe(join(repo, 'docker-build-reports', 'digests', slug));
        expect(outputs.image).toMatch(new RegExp(`^${escape(image)}@sha256:[0-9a-f]{64}$`));
        expect(outputs.image).toBe(`${image}@${outputs.digest ?? ''}`);
        expect(readFileSync(outputs['digest-file'] ?? '', 'utf8')).toBe(`${outputs.image ?? ''}\n`);
        expect(Object.keys(json(outputs['platform-digests']))).toEqual([platform]);
        expect(result.stderr).toContain(`push is digest: ${platform} pushed by digest alone, for a merge job`);
        expect(result.stderr).toContain(`--platform=${platform} `);
        // no gate: neither the check nor the scan ran, and no tag was attached
        expect(result.stderr).not.toMatch(/^==> (Scan gate|Check gate|Test gate|Attach tags)/m);
        expect(result.stderr).not.toContain('$ trivy image');
        expect(creates(result.stderr)).toEqual([]);
        expect(outputs['scan-result']).toBe('skipped');
        expect(outputs['check-result']).toBe('skipped');
        expect(outputs.tags).toBe('');
      }
      expect(readdirSync(join(repo, 'docker-build-reports', 'digests')).sort()).toEqual(['linux-amd64', 'linux-arm64']);
      // the registry holds both images, by digest only
      expect(await registryTags(lab, image)).toEqual([]);
      for (const platform of PLATFORMS) expect((await inspect(source(platform))).digest).toMatch(/^sha256:/);
    });

    it('merge with no sources reads the digest files: one index of both platforms, both scanned, then tagged', async () => {
      merged = await local('merge', { tags: 'type=raw,value=edge' });
      const { result, outputs } = merged;
      expect(result.code, result.stderr.slice(-3000)).toBe(0);
      // one index, by the digest the merge output, with both platforms; the tag points at it
      const facts = await inspect(`${image}:edge`);
      expect(facts.digest).toBe(outputs.digest);
      expect(facts.platforms).toEqual([...PLATFORMS]);
      expect(outputs.image).toBe(`${image}@${outputs.digest ?? ''}`);
      expect(outputs.tags).toBe(`${image}:edge`);
      expect(await registryTags(lab, image)).toEqual(['edge']);
      // each platform's image is the very one its job pushed
      const platformDigests = json(outputs['platform-digests']);
      expect(Object.keys(platformDigests).sort()).toEqual([...PLATFORMS]);
      for (const platform of PLATFORMS) {
        expect(platformDigests[platform]).toBe(json(built.get(platform)?.outputs['platform-digests'])[platform]);
        expect(result.stderr).toContain(`${platform}: ${source(platform)}`);
      }
      // both scanned, by digest, before the tag
      expect(outputs['scan-result']).toBe('passed');
      expect(Object.keys(json(outputs['scan-counts'])).sort()).toEqual([...PLATFORMS]);
      for (const [platform, digest] of Object.entries(platformDigests)) {
        expect(result.stderr).toContain(`scanning ${platform}: ${image}@${String(digest)}`);
      }
      expect(result.stderr.indexOf('==> Attach tags')).toBeGreaterThan(result.stderr.indexOf('PASSED'));
      // the index was pushed by its digest (no tag), then tagged
      expect(creates(result.stderr)).toEqual([
        expect.stringContaining(`--tag=${image}@${outputs.digest ?? ''}`),
        expect.stringContaining(`--tag=${image}:edge ${image}@${outputs.digest ?? ''}`),
      ]);
      // merge builds nothing
      expect(result.stderr).not.toContain('$ docker buildx build');
    });

    it('sources given as references, or as a directory of digest files, give the same index', async () => {
      const byReference = await local('merge', {
        sources: PLATFORMS.map((platform) => source(platform)),
        tags: 'type=raw,value=by-reference',
      });
      expect(byReference.result.code, byReference.result.stderr.slice(-3000)).toBe(0);
      const directory = join(repo, 'handed-over');
      mkdirSync(directory);
      for (const platform of PLATFORMS) {
        const slug = platform.replace('/', '-');
        writeFileSync(join(directory, slug), readFileSync(join(repo, 'docker-build-reports', 'digests', slug)));
      }
      const byDirectory = await local('merge', { sources: 'handed-over', tags: 'type=raw,value=by-directory' });
      expect(byDirectory.result.code, byDirectory.result.stderr.slice(-3000)).toBe(0);
      for (const [run, tag] of [
        [byReference, 'by-reference'],
        [byDirectory, 'by-directory'],
      ] as const) {
        expect(run.outputs.digest).toBe(merged?.outputs.digest);
        expect(run.outputs['scan-result']).toBe('passed');
        expect((await inspect(`${image}:${tag}`)).digest).toBe(merged?.outputs.digest);
      }
      expect(await registryTags(lab, image)).toEqual(['by-directory', 'by-reference', 'edge']);
    });

    it('a finding in one platform’s image fails the merge gate, naming the platform, and tags nothing', async () => {
      const vulnRepo = await repoFromFixture('vuln-app');
      try {
        writeFileSync(join(vulnRepo, 'Dockerfile'), arm64OnlyVulnDockerfile());
        await commitAll(vulnRepo, 'findings in arm64');
        const arm64 = await local(
          'build',
          {
            images: image,
            platforms: 'linux/arm64',
            push: 'digest',
            'build-args': [`BASE=${lab.baseImage}`, 'ARM64_ONLY=true'],
          },
          vulnRepo,
        );
        expect(arm64.result.code, arm64.result.stderr.slice(-3000)).toBe(0);
        // the clean linux/amd64 image of the first job, and the vulnerable linux/arm64 one by its digest file
        const { result, outputs } = await local(
          'merge',
          {
            sources: [source('linux/amd64'), 'docker-build-reports/digests/linux-arm64'],
            tags: 'type=raw,value=vulnerable',
          },
          vulnRepo,
        );
        expect(result.code, result.stderr.slice(-3000)).toBe(1);
        expect(result.stderr).toMatch(
          /the scan gate failed on linux\/arm64: 3 finding\(s\) of severity CRITICAL, HIGH/,
        );
        expect(result.stderr).toContain('CVE-2099-0001');
        expect(outputs['scan-result']).toBe('failed');
        const counts = json(outputs['scan-counts']) as Record<string, Record<string, number>>;
        expect(Object.keys(counts).sort()).toEqual([...PLATFORMS]);
        expect(counts['linux/amd64']?.CRITICAL).toBe(0);
        expect(counts['linux/arm64']?.CRITICAL).toBe(1);
        expect(outputs.tags).toBe('');
        // the index was pushed by digest (for the gate to judge), and no tag was attached
        expect(creates(result.stderr)).toHaveLength(1);
        expect(result.stderr).not.toContain('==> Attach tags');
        expect(await registryTags(lab, image)).toEqual(['by-directory', 'by-reference', 'edge']);
      } finally {
        rmSync(vulnRepo, { recursive: true, force: true });
      }
    });

    describe('bad input: exit 2, a message naming the input and the value, nothing created or tagged', () => {
      const ref = (platform: string) => source(platform);
      const amd64Manifest = () =>
        `${image}@${String(json(built.get('linux/amd64')?.outputs['platform-digests'])['linux/amd64'])}`;

      const cases: { name: string; command: 'build' | 'merge'; inputs: () => LocalInputs; message: () => RegExp }[] = [
        {
          name: 'an empty digest list: no sources and no digest files',
          command: 'merge',
          inputs: () => ({ 'reports-dir': 'nothing-here', tags: 'type=raw,value=bad' }),
          message: () => /Invalid sources "": merge needs the one-platform images by digest/,
        },
        {
          name: 'the same platform twice (two linux/amd64 digests)',
          command: 'merge',
          inputs: () => ({ sources: [ref('linux/amd64'), amd64Manifest()], tags: 'type=raw,value=bad' }),
          message: () =>
            new RegExp(
              `Invalid sources "${escape(ref('linux/amd64'))}, ${escape(amd64Manifest())}": both hold linux/amd64`,
            ),
        },
        {
          name: 'the same reference twice',
          command: 'merge',
          inputs: () => ({ sources: [ref('linux/amd64'), ref('linux/amd64')], tags: 'type=raw,value=bad' }),
          message: () => new RegExp(`Invalid sources "${escape(ref('linux/amd64'))}": is given twice`),
        },
        {
          name: 'a directory with no digest file in it',
          command: 'merge',
          inputs: () => ({ sources: 'src', tags: 'type=raw,value=bad' }),
          message: () => /Invalid sources "src": holds no image by digest/,
        },
        {
          name: 'a path that is not there',
          command: 'merge',
          inputs: () => ({ sources: 'digests/', tags: 'type=raw,value=bad' }),
          message: () => /Invalid sources "digests\/": no such file or directory here, and not an image by digest/,
        },
        {
          name: 'a digest that does not exist',
          command: 'merge',
          inputs: () => ({ sources: [ref('linux/amd64'), `${image}@${ZERO_DIGEST}`], tags: 'type=raw,value=bad' }),
          message: () => new RegExp(`Invalid sources "${escape(`${image}@${ZERO_DIGEST}`)}": no such image`),
        },
        {
          name: 'mismatched image names between matrix jobs',
          command: 'merge',
          inputs: () => ({
            sources: [ref('linux/amd64'), ref('linux/arm64').replace(image, `${image}-other`)],
            tags: 'type=raw,value=bad',
          }),
          message: () =>
            new RegExp(`Invalid sources "${escape(image)}-other@sha256:[0-9a-f]{64}": is not in ${escape(image)},`),
        },
        {
          name: 'a source by tag',
          command: 'merge',
          inputs: () => ({ sources: [ref('linux/amd64'), `${image}:edge`], tags: 'type=raw,value=bad' }),
          message: () => new RegExp(`Invalid sources "${escape(image)}:edge": is an image by tag; give it by digest`),
        },
        {
          name: 'push: digest given to merge',
          command: 'merge',
          inputs: () => ({ sources: [ref('linux/amd64'), ref('linux/arm64')], push: 'digest' }),
          message: () => /Invalid push "digest": pushes one platform of a build by digest; merge takes images already/,
        },
        {
          name: 'push: digest with two platforms',
          command: 'build',
          inputs: () => ({ images: image, platforms: 'linux/amd64,linux/arm64', push: 'digest' }),
          message: () => /Invalid platforms "linux\/amd64,linux\/arm64": push: digest builds one platform per job/,
        },
        {
          name: 'push: digest without images',
          command: 'build',
          inputs: () => ({ platforms: 'linux/amd64', push: 'digest' }),
          message: () => /Invalid push "digest": needs an image in images to push to/,
        },
      ];

      beforeAll(() => {
        mkdirSync(join(repo, 'src'));
      });

      for (const { name, command, inputs, message } of cases) {
        it(name, async () => {
          const before = await registryTags(lab, image);
          const { result, outputs } = await local(command, inputs());
          expect(result.code, result.stderr.slice(-3000)).toBe(2);
          expect(result.stderr).toMatch(message());
          expect(result.stderr).not.toContain('$ docker buildx imagetools create');
          expect(result.stderr).not.toContain('$ docker buildx build');
          expect(outputs).toEqual({});
          expect(await registryTags(lab, image)).toEqual(before);
        });
      }
    });
  });

  describe('act: a two-job matrix pushing by digest, then a merge job', () => {
    const image = `${lab.registry}/e2e/${unique('act-merge')}`;
    let scratch = '';
    // The matrix jobs hand their digest files over through this directory, as artifacts would (see the workflow).
    let digests = '';
    let repo = '';

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'e2e-act-merge-'));
      digests = join(scratch, 'digests');
      mkdirSync(digests);
      repo = await repoFromFixture(['hello-app', 'act-merge'], 'https://github.com/example/hello-merge.git', true);
    });

    afterAll(() => {
      rmSync(repo, { recursive: true, force: true });
      if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
    });

    it('one index with both platforms, both scanned, then tagged; the matrix jobs tagged nothing', async () => {
      const secretFile = join(scratch, 'secrets.env');
      writeFileSync(secretFile, `REGISTRY_PASSWORD=${lab.registryPassword}\n`, { mode: 0o600 });
      let result: RunResult;
      try {
        result = await runAct(repo, '.github/workflows/merge.yml', [
          ...labActVars(lab, image),
          `--var=DIGESTS=${digests}`,
          `--artifact-server-port=${await freePort()}`,
          `--secret-file=${secretFile}`,
        ]);
      } finally {
        rmSync(secretFile, { force: true });
      }
      const log = result.stdout;
      noteBuilders(log);
      expect(result.code, `${log.slice(-5000)}${result.stderr.slice(-2000)}`).toBe(0);
      // both matrix jobs ran, each pushed one platform by digest with no gate and no tag
      for (const platform of PLATFORMS) {
        expect(log).toMatch(
          new RegExp(`build ${escape(platform)}: digest-file=\\S+/digests/${platform.replace('/', '-')} tags=\\[\\] `),
        );
        expect(log).toContain(`build ${platform}: digest-file=`);
        expect(log).toMatch(new RegExp(`build ${escape(platform)}: .* scan-result=skipped`));
      }
      // each platform's job has a layer cache of its own (act serves the Actions cache: gha)
      expect(cacheKeys(log)).toEqual([expect.stringMatching(/amd64-main$/), expect.stringMatching(/arm64-main$/)]);
      expect(readdirSync(digests).sort()).toEqual(['linux-amd64', 'linux-arm64']);
      const sources = readdirSync(digests)
        .sort()
        .map((file) => readFileSync(join(digests, file), 'utf8').trim());
      // then the merge job
      const outputs: Record<string, string> = {};
      for (const match of log.matchAll(/\| output ([a-z-]+)=(.*)$/gm))
        outputs[match[1] ?? ''] = (match[2] ?? '').trim();
      const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
      expect(outputs.tags?.split(' ')).toEqual([`${image}:main`, `${image}:sha-${sha.slice(0, 7)}`]);
      expect(outputs['scan-result']).toBe('passed');
      expect(Object.keys(json(outputs['scan-counts'])).sort()).toEqual([...PLATFORMS]);
      const facts = await inspect(`${image}:main`);
      expect(facts.digest).toBe(outputs.digest);
      expect(facts.platforms).toEqual([...PLATFORMS]);
      for (const [platform, digest] of Object.entries(json(outputs['platform-digests']))) {
        expect(log).toContain(`scanning ${platform}: ${image}@${String(digest)}`);
      }
      for (const reference of sources) expect(log).toMatch(new RegExp(`linux/\\w+: ${escape(reference)}`));
      expect(await registryTags(lab, image)).toEqual(['main', `sha-${sha.slice(0, 7)}`].sort());
      expect(log).not.toContain(lab.registryPassword);
    });
  });

  describe('gitlab-ci-local: parallel: matrix over the platforms, then the merge component', () => {
    const image = `${lab.registry}/e2e/${unique('gitlab-merge')}`;
    let repo = '';

    /** One pipeline, each job in a directory of its own (--shell-isolation): only artifacts go from job to job. */
    async function pipeline(variables: Record<string, string> = {}): Promise<RunResult> {
      const result = await runGitlabCiLocal(repo, { ...labGitlabVariables(lab, image), ...variables }, [
        '--shell-isolation',
      ]);
      noteBuilders(result.stdout + result.stderr);
      return { ...result, stdout: result.stdout + result.stderr };
    }

    beforeAll(async () => {
      // hello-app's Dockerfile over vuln-app's, whose package lists stay for Dockerfile.vuln
      repo = await repoFromFixture(
        ['vuln-app', 'hello-app', 'gitlab-merge'],
        'https://gitlab.example.com/lab/app.git',
        true,
      );
      writeFileSync(join(repo, 'Dockerfile.vuln'), arm64OnlyVulnDockerfile());
      await commitAll(repo, 'the vulnerable Dockerfile, findings in arm64');
    });

    afterAll(() => {
      rmSync(repo, { recursive: true, force: true });
    });

    it('one index with both platforms, both scanned, then tagged', async () => {
      const result = await pipeline();
      const log = result.stdout;
      expect(result.code, log.slice(-5000)).toBe(0);
      for (const platform of PLATFORMS) {
        expect(log).toMatch(new RegExp(`PASS\\s+docker-build: \\[${escape(platform)}\\]`));
        expect(log).toContain(`push is digest: ${platform} pushed by digest alone, for a merge job`);
      }
      expect(log).toMatch(/PASS\s+docker-build-merge/);
      // each platform's job has a layer cache of its own (on GitLab: the registry)
      expect(cacheKeys(log)).toEqual(['amd64-main', 'arm64-main']);
      // the merge job read the digest files the matrix jobs left in their artifacts, and nothing else
      expect(log).toMatch(/docker-build-merge\s+imported artifacts/);
      const pushed = [...log.matchAll(/(linux\/\w+): (\S+@sha256:[0-9a-f]{64}), pushed by digest for a merge job/g)];
      expect(pushed.map((match) => match[1]).sort()).toEqual([...PLATFORMS]);
      for (const [, platform, reference] of pushed) {
        expect(log).toMatch(
          new RegExp(`docker-build-merge\\s+> ${escape(`${platform ?? ''}: ${reference ?? ''}`)}$`, 'm'),
        );
      }
      const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
      const tags = ['main', `sha-${sha.slice(0, 8)}`];
      expect(await registryTags(lab, image)).toEqual(tags.sort());
      const facts = await inspect(`${image}:main`);
      expect(facts.platforms).toEqual([...PLATFORMS]);
      expect((await inspect(`${image}:${tags[1] ?? ''}`)).digest).toBe(facts.digest);
      expect(log).toContain(`one index for linux/amd64, linux/arm64: ${image}@${facts.digest}`);
      for (const platform of PLATFORMS)
        expect(log).toMatch(new RegExp(`scanning ${escape(platform)}: ${escape(image)}@`));
      expect(log).toMatch(/PASSED: no finding fails the gate \(0 findings reported on linux\/amd64, linux\/arm64\)/);
      expect(log).not.toContain(lab.registryPassword);
    });

    it('a finding in the arm64 image fails the merge job and tags nothing', async () => {
      const before = await registryTags(lab, image);
      const mainBefore = (await inspect(`${image}:main`)).digest;
      const result = await pipeline({ DOCKERFILE: 'Dockerfile.vuln' });
      const log = result.stdout;
      expect(result.code).not.toBe(0);
      for (const platform of PLATFORMS)
        expect(log).toMatch(new RegExp(`PASS\\s+docker-build: \\[${escape(platform)}\\]`));
      expect(log).toMatch(/FAIL\s+docker-build-merge/);
      expect(log).toMatch(/the scan gate failed on linux\/arm64: 3 finding\(s\) of severity CRITICAL, HIGH/);
      expect(await registryTags(lab, image)).toEqual(before);
      expect((await inspect(`${image}:main`)).digest).toBe(mainBefore);
    });
  });

  it('leaves no Docker config with the password on disk and no builder behind', async () => {
    expect(filesContaining(credentialLocations(tmpdir()), lab.registryPassword, [lab.home, client.configDir])).toEqual(
      [],
    );
    // every run that reached the builder created one of its own, and removed it: locally 2 builds, 3 merges, the
    // vulnerable build and its merge, the 2 bad inputs found by reading the registry; act 3 jobs; GitLab twice 3 jobs
    expect(builders.size).toBe(18);
    const { stdout } = await must('docker', ['ps', '--all', '--format', '{{.Names}}']);
    const containers = stdout.split('\n');
    expect([...builders].filter((name) => containers.includes(`buildx_buildkit_${name}0`))).toEqual([]);
  });
});
