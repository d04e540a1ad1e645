// Hostile refs and inputs: branch and tag names, image names, labels, build args and tag rules that try to run a
// command, inject an option, or break a tag. Each either plans valid, sanitized tags or is refused with an error naming
// the input; never a command run (/tmp/pwned must never exist), never an option injected into a tool's argv.
// `plan` runs the real bundle on a GitLab job's environment (any name, even one git cannot hold); a few cases also run
// the whole pipeline against the lab registry.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerClient, unique } from '../helpers/docker.js';
import { localArgv, runLocal, withLine, type LocalInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must, run } from '../helpers/run.js';

const lab = inject('lab');
const PWNED = '/tmp/pwned';
const FIXTURE = new URL('../../fixtures/gitlab/branch-feature.env', import.meta.url);

/** A GitLab branch pipeline's variables (a real job's, from the unit fixtures). */
function gitlabEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

const HOSTILE = [
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  '${IFS}touch${IFS}/tmp/pwned',
  'a;touch /tmp/pwned',
  'a|touch /tmp/pwned',
  'a&&touch /tmp/pwned',
  "a'; touch /tmp/pwned; '",
  'a"; touch /tmp/pwned; "',
  '--help',
  '-rf',
  '--output=type=local,dest=/',
  '-',
  'a\ntouch /tmp/pwned',
  'a\r\nb',
  'tab\there',
  'é-ü-ß-日本語',
  '🚀-rocket',
  '\u202Eevil',
  'x'.repeat(300),
  '../../etc/passwd',
  '{{.}}{{ env "HOME" }}',
  '%s%n%x',
  '*',
  ' ',
  '.hidden',
];

const TAG = /^[a-z0-9.:/-]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

interface Plan {
  tags: string[];
  build: { argv: string[] };
}

/** The options buildx is given: every argv element before `--` that starts with a dash must be one of ours. */
const OURS =
  /^--(builder|progress|file|target|platform|build-arg|build-context|secret|ssh|label|annotation|pull|no-cache|provenance|sbom|cache-from|cache-to|output|load|tag|metadata-file)(=|$)/;

describe(`hostile refs and inputs: ${HOSTILE.length * 3 + 12} cases, never a command run, never an option injected`, () => {
  beforeAll(() => {
    rmSync(PWNED, { force: true });
  });

  afterAll(() => {
    expect(existsSync(PWNED)).toBe(false);
  });

  async function plan(env: Record<string, string>, inputs: LocalInputs) {
    const result = await run('node', localArgv('plan', inputs), { env: { PATH: process.env.PATH ?? '', ...env } });
    return { result, plan: result.code === 0 ? (JSON.parse(result.stdout) as Plan) : undefined };
  }

  function expectSafe(result: { code: number; stderr: string }, parsed: Plan | undefined, input: string) {
    expect(existsSync(PWNED)).toBe(false);
    if (result.code === 2) {
      expect(result.stderr).toMatch(new RegExp(`Invalid ${input}`));
      return;
    }
    expect(result.code, result.stderr).toBe(0);
    for (const tag of parsed?.tags ?? []) expect(tag).toMatch(TAG);
    const argv = parsed?.build.argv ?? [];
    const options = argv.slice(0, argv.indexOf('--'));
    for (const arg of options.slice(3)) expect(arg).toMatch(OURS);
  }

  it.each(HOSTILE)('a branch named %j', async (branch) => {
    const env = { ...gitlabEnv(), CI_COMMIT_BRANCH: branch, CI_COMMIT_REF_NAME: branch, CI_COMMIT_REF_SLUG: 'x' };
    const { result, plan: parsed } = await plan(env, {
      images: 'registry.example.com/app',
      tags: 'type=ref,event=branch',
    });
    expectSafe(result, parsed, 'tags');
  });

  it.each(HOSTILE)('a tag named %j', async (tag) => {
    const env = { ...gitlabEnv(), CI_COMMIT_TAG: tag, CI_COMMIT_REF_NAME: tag, CI_COMMIT_BRANCH: '' };
    const { result, plan: parsed } = await plan(env, {
      images: 'registry.example.com/app',
      tags: 'type=ref,event=tag\ntype=semver,pattern={{version}}',
    });
    expectSafe(result, parsed, 'tags');
  });

  it.each(HOSTILE)('a raw tag rule, a label, a build arg and an annotation of %j', async (value) => {
    const { result, plan: parsed } = await plan(gitlabEnv(), {
      images: 'registry.example.com/app',
      tags: `type=raw,value=${value.replace(/\n/g, ' ')}`,
      labels: `org.example.note=${value.replace(/\n/g, ' ')}`,
      'build-args': `NOTE=${value.replace(/\n/g, ' ')}`,
      annotations: `org.example.note=${value.replace(/\n/g, ' ')}`,
    });
    expectSafe(result, parsed, '(tags|labels|build-args|annotations)');
  });

  it.each([
    ['images', '$(touch /tmp/pwned)'],
    ['images', '--help'],
    ['images', 'Registry.Example.com/App;id'],
    ['images', 'registry.example.com/app\n-rf'],
    ['context', '--help'],
    ['file', '--output=type=local,dest=/'],
    ['target', '$(touch /tmp/pwned)'],
    ['platforms', 'linux/amd64,--help'],
    ['build-contexts', 'x=--help'],
    ['secret-files', 'id=--help'],
    ['cache-ref', '--push'],
    ['registry', '--password=x'],
  ])('%s = %j', async (input, value) => {
    // the value as one more flag: for images, a second line after a good one
    const { result, plan: parsed } = await plan(
      gitlabEnv(),
      withLine({ images: 'registry.example.com/app' }, input, value),
    );
    expectSafe(result, parsed, input);
    if (result.code === 0) {
      // a value that is kept is a value of one of our options, or the context after `--`
      const argv = parsed?.build.argv ?? [];
      expect(argv.filter((arg) => arg === value)).toEqual(input === 'context' ? [value] : []);
    }
  });
});

describe('hostile names through the whole pipeline', () => {
  const client = new DockerClient();
  const image = `${lab.registry}/e2e/${unique('hostile')}`;
  let repo = '';

  beforeAll(async () => {
    rmSync(PWNED, { force: true });
    expect((await client.login(lab.registry, lab.registryUser, lab.registryPassword)).code).toBe(0);
    repo = await repoFromFixture('hello-app');
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    expect(existsSync(PWNED)).toBe(false);
  });

  // Names git accepts as branches (no spaces, no leading dash), built and pushed for real.
  it.each(['$(touch${IFS}/tmp/pwned)', '`touch${IFS}/tmp/pwned`', 'a;touch${IFS}/tmp/pwned', 'fix/é-🚀'])(
    'a branch %j: built, pushed under a sanitized tag, nothing run',
    async (branch) => {
      await must('git', ['checkout', '-q', '-B', branch], { cwd: repo });
      const result = await runLocal(
        lab,
        repo,
        { images: image, tags: 'type=ref,event=branch', platforms: 'linux/amd64', scan: false },
        { timeoutMs: 300_000 },
      );
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      const tags = (JSON.parse(result.stdout) as { tags: string }).tags.split('\n');
      expect(tags).toHaveLength(1);
      expect(tags[0]).toMatch(TAG);
      expect((await client.docker(['buildx', 'imagetools', 'inspect', tags[0] ?? ''])).code).toBe(0);
      expect(existsSync(PWNED)).toBe(false);
    },
  );
});
