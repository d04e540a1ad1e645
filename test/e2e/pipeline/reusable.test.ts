// The reusable workflow (.github/workflows/build.yml, generated from the input table), called through act by a
// consumer repository's workflow (fixture act-reusable) for linux/amd64,linux/arm64: prepare, one build job per
// platform pushing by digest, the merge job gating both platforms and tagging, and a later job of the caller reading
// the workflow's outputs. A planted finding in linux/arm64 fails the merge job and tags nothing.
//
// What act lacks, and how the test stands in (the workflow itself is run as generated):
// - job.workflow_repository and job.workflow_sha are empty under act, and nothing can be fetched: the test puts the
//   action (action.yml, dist/) where the workflow checks docker-build out (.docker-build/), and act's
//   --local-repository replaces actions/checkout (for that non-local checkout; the caller's own checkout act
//   skips, copying the working tree) with a stand-in that only checks the action is there.
// - actions/upload-artifact and download-artifact cannot be fetched either: --local-repository replaces them with
//   stand-ins copying the digest files through a directory of this test (same names and patterns as on GitHub).
// - every runner label (ubuntu-24.04, ubuntu-24.04-arm) runs on this host (-self-hosted): linux/arm64 under QEMU.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
// act's artifact server listens on 34567 unless told, and exits at once when another act run holds it.
import { freePort } from '../helpers/buildkitd.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { parseInspect, registryTags, type ImageFacts } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, type RunResult } from '../helpers/run.js';

const lab = inject('lab');
const ROOT = new URL('../../../', import.meta.url);
const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const json = (text: string | undefined) => JSON.parse(text ?? '{}') as Record<string, unknown>;

/** A composite action of `inputs` running `script` (bash), as a stand-in for an action act cannot fetch. */
function standIn(dir: string, name: string, inputs: string[], env: Record<string, string>, script: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  const lines = [
    `name: ${name} (stand-in for act)`,
    'inputs:',
    ...inputs.map((input) => `  ${input}:\n    required: false`),
    'runs:',
    '  using: composite',
    '  steps:',
    '    - shell: bash',
    '      env:',
    ...Object.entries(env).map(([key, value]) => `        ${key}: ${JSON.stringify(value)}`),
    '      run: |',
    ...script.split('\n').map((line) => `        ${line}`),
  ];
  writeFileSync(join(path, 'action.yml'), lines.join('\n') + '\n');
  return path;
}

/** The stand-ins of actions/checkout, upload-artifact and download-artifact, artifacts kept in `artifacts`. */
function standIns(dir: string, artifacts: string): string[] {
  const checkout = standIn(
    dir,
    'checkout',
    ['repository', 'ref', 'path', 'persist-credentials'],
    { REPOSITORY: '${{ inputs.repository }}', REF: '${{ inputs.ref }}', DEST: '${{ inputs.path }}' },
    'echo "stand-in checkout: repository=[$REPOSITORY] ref=[$REF] path=$DEST"\ntest -f "$DEST/action.yml"',
  );
  const upload = standIn(
    dir,
    'upload-artifact',
    ['name', 'path', 'if-no-files-found', 'retention-days', 'overwrite'],
    { NAME: '${{ inputs.name }}', FILE: '${{ inputs.path }}', STORE: artifacts },
    'echo "stand-in upload-artifact: $NAME <- $FILE"\nmkdir -p "$STORE/$NAME"\ncp "$FILE" "$STORE/$NAME/"',
  );
  const download = standIn(
    dir,
    'download-artifact',
    ['pattern', 'merge-multiple', 'path'],
    { PATTERN: '${{ inputs.pattern }}', DEST: '${{ inputs.path }}', STORE: artifacts },
    // the pattern is a glob, as download-artifact's: unquoted on purpose
    'mkdir -p "$DEST"\nfor d in "$STORE"/$PATTERN; do cp "$d"/* "$DEST"/; done\necho "stand-in download-artifact: $PATTERN -> $(ls "$DEST" | tr \'\\n\' \' \')"',
  );
  // the references exactly as the workflow pins them (owner/name@commit), which is what act matches
  const workflow = readFileSync(new URL('.github/workflows/build.yml', ROOT), 'utf8');
  const pinned = (name: string) => {
    const match = new RegExp(`uses: (actions/${name}@[0-9a-f]{40})`).exec(workflow);
    if (match === null) throw new Error(`.github/workflows/build.yml runs no actions/${name} pinned by commit`);
    return match[1] ?? '';
  };
  return [
    `--local-repository=${pinned('checkout')}=${checkout}`,
    `--local-repository=${pinned('upload-artifact')}=${upload}`,
    `--local-repository=${pinned('download-artifact')}=${download}`,
  ];
}

/** A consumer repository: fixtures, the generated reusable workflow beside its caller, the action in .docker-build/. */
async function consumer(fixtures: string[], dockerfile?: string): Promise<string> {
  const repo = await repoFromFixture([...fixtures, 'act-reusable'], 'https://github.com/example/consumer.git');
  cpSync(new URL('.github/workflows/build.yml', ROOT), join(repo, '.github/workflows/build.yml'));
  mkdirSync(join(repo, '.docker-build'));
  cpSync(new URL('action.yml', ROOT), join(repo, '.docker-build/action.yml'));
  cpSync(new URL('dist', ROOT), join(repo, '.docker-build/dist'), { recursive: true });
  if (dockerfile !== undefined) writeFileSync(join(repo, 'Dockerfile'), dockerfile);
  await must('git', ['add', '--all'], { cwd: repo });
  await must('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'consumer'], {
    cwd: repo,
  });
  return repo;
}

describe('the reusable workflow through act: a caller, one job per platform, merge, outputs', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('reusable')}`;
  let scratch = '';
  const repos: string[] = [];

  async function inspect(ref: string): Promise<ImageFacts> {
    const { stdout } = await client.mustDocker(['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .}}']);
    return parseInspect(stdout);
  }

  async function call(
    repo: string,
    platforms: string = PLATFORMS.join(','),
    to: string = image,
  ): Promise<{ result: RunResult; log: string; seconds: number }> {
    const run = mkdtempSync(join(scratch, 'run-'));
    const artifacts = join(run, 'artifacts');
    mkdirSync(artifacts);
    const started = Date.now();
    const result = await runAct(
      repo,
      '.github/workflows/caller.yml',
      [
        ...labActVars(lab, to),
        `--var=PLATFORMS=${platforms}`,
        '--platform=ubuntu-24.04=-self-hosted',
        '--platform=ubuntu-24.04-arm=-self-hosted',
        `--artifact-server-port=${await freePort()}`,
        '--secret=REGISTRY_PASSWORD',
        ...standIns(join(run, 'actions'), artifacts),
      ],
      undefined,
      { REGISTRY_PASSWORD: lab.registryPassword },
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`act run of the reusable workflow (${platforms}): ${seconds} s, exit ${result.code}`);
    return { result, log: result.stdout + result.stderr, seconds };
  }

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    // the stand-ins and the directory of the artifacts (no password: act reads it from its environment)
    scratch = mkdtempSync(join(tmpdir(), 'e2e-reusable-'));
  });

  afterAll(() => {
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
    client.dispose();
  });

  it('pushes one index with both platforms, scanned, then tagged; the caller reads the outputs', async () => {
    const repo = await consumer(['hello-app']);
    repos.push(repo);
    const { result, log } = await call(repo);
    expect(result.code, log.slice(-6000)).toBe(0);
    // prepare: two platforms, one job each, then merge
    expect(log).toContain('one job per platform, then merge');
    // each platform's job pushed its image by digest, with no gate and no tag, from the action of .docker-build/
    const pushed = [...log.matchAll(/(linux\/\w+): (\S+@sha256:[0-9a-f]{64}), pushed by digest for a merge job/g)];
    expect(pushed.map((match) => match[1]).sort()).toEqual([...PLATFORMS]);
    expect(log).toMatch(/stand-in checkout: repository=\[\] ref=\[\] path=\.docker-build/);
    expect(log).toMatch(/stand-in download-artifact: docker-build-\S+-\* -> linux-amd64 linux-arm64/);
    // the caller's later job read the workflow's outputs
    const outputs: Record<string, string> = {};
    for (const match of log.matchAll(/\| output ([a-z-]+)=(.*)$/gm)) outputs[match[1] ?? ''] = (match[2] ?? '').trim();
    const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
    const tags = [`${image}:main`, `${image}:sha-${sha.slice(0, 7)}`];
    expect(outputs.tags?.split(' ')).toEqual(tags);
    expect(outputs.version).toBe('main');
    expect(outputs['scan-result']).toBe('passed');
    const facts = await inspect(`${image}:main`);
    expect(facts.platforms).toEqual([...PLATFORMS]);
    expect(outputs.digest).toBe(facts.digest);
    expect(outputs.image).toBe(`${image}@${facts.digest}`);
    const platformDigests = json(outputs['platform-digests']);
    expect(Object.keys(platformDigests).sort()).toEqual([...PLATFORMS]);
    for (const [platform, digest] of Object.entries(platformDigests)) {
      expect(log).toContain(`scanning ${platform}: ${image}@${String(digest)}`);
    }
    // the merge job read the very images the matrix jobs pushed (their artifacts), and joined them into that index
    for (const [, platform, reference] of pushed) {
      expect(log).toMatch(
        new RegExp(`docker-build/merge\\s*\\]\\s+\\| ${escape(`${platform ?? ''}: ${reference ?? ''}`)}$`, 'm'),
      );
    }
    expect(log).toContain(`one index for linux/amd64, linux/arm64: ${image}@${facts.digest}`);
    expect(await registryTags(lab, image)).toEqual(['main', `sha-${sha.slice(0, 7)}`].sort());
    expect(log).not.toContain(lab.registryPassword);
  });

  it('a finding in the linux/arm64 image fails the merge job and tags nothing', async () => {
    const dockerfile = readFileSync(new URL('../fixtures/vuln-app/Dockerfile', import.meta.url), 'utf8');
    const planted = dockerfile.replace('ARG ARM64_ONLY=false', 'ARG ARM64_ONLY=true');
    expect(planted).not.toBe(dockerfile);
    const repo = await consumer(['vuln-app'], planted);
    repos.push(repo);
    const before = await registryTags(lab, image);
    const mainBefore = (await inspect(`${image}:main`)).digest;
    const { result, log } = await call(repo);
    expect(result.code, log.slice(-6000)).not.toBe(0);
    const pushed = [...log.matchAll(/(linux\/\w+): (\S+@sha256:[0-9a-f]{64}), pushed by digest for a merge job/g)];
    expect(pushed.map((match) => match[1]).sort()).toEqual([...PLATFORMS]);
    expect(log).toMatch(/the scan gate failed on linux\/arm64: 3 finding\(s\) of severity CRITICAL, HIGH/);
    expect(log).toMatch(/image\/docker-build\/merge\s*\].*Job failed/);
    // the caller's later job never ran
    expect(log).not.toMatch(/\| output digest=/);
    expect(await registryTags(lab, image)).toEqual(before);
    expect((await inspect(`${image}:main`)).digest).toBe(mainBefore);
    expect(log).not.toContain(lab.registryPassword);
  });
  it('one platform: one job that builds, gates and tags, no merge', async () => {
    const single = `${lab.registry}/e2e/${unique('reusable-single')}`;
    const repo = await consumer(['hello-app']);
    repos.push(repo);
    const { result, log } = await call(repo, 'linux/amd64', single);
    expect(result.code, log.slice(-6000)).toBe(0);
    expect(log).toContain('one job, no merge');
    expect(log).not.toContain('pushed by digest for a merge job');
    expect(log).not.toMatch(/image\/docker-build\/merge\s*\]/);
    const outputs: Record<string, string> = {};
    for (const match of log.matchAll(/\| output ([a-z-]+)=(.*)$/gm)) outputs[match[1] ?? ''] = (match[2] ?? '').trim();
    const sha = (await must('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
    expect(outputs.tags?.split(' ')).toEqual([`${single}:main`, `${single}:sha-${sha.slice(0, 7)}`]);
    expect(outputs['scan-result']).toBe('passed');
    const facts = await inspect(`${single}:main`);
    expect(facts.platforms).toEqual(['linux/amd64']);
    expect(outputs.digest).toBe(facts.digest);
    expect(Object.keys(json(outputs['platform-digests']))).toEqual(['linux/amd64']);
    expect(log).not.toContain(lab.registryPassword);
  });
  it('a platform with no runner in runners fails the prepare job, naming the input and the value, before any build', async () => {
    const repo = await consumer(['hello-app']);
    repos.push(repo);
    const before = await registryTags(lab, image);
    const { result, log } = await call(repo, 'linux/amd64,linux/s390x');
    expect(result.code).not.toBe(0);
    expect(log).toContain(
      'Invalid runners "{"linux/amd64":"ubuntu-24.04","linux/arm64":"ubuntu-24.04-arm"}": no runner for linux/s390x',
    );
    expect(log).toMatch(/image\/docker-build\/prepare\s*\].*Job failed/);
    expect(log).not.toContain('$ docker buildx');
    expect(await registryTags(lab, image)).toEqual(before);
  });
});
