// The canary: the lab registry's password, used through every login path of the local command (simple inputs,
// registry-auth), of the action with credentials the job already has (a prior docker login, a credential helper), of
// GitHub through act (a secret into `password`) and of GitLab (CI_REGISTRY_PASSWORD) while every process's command
// line is sampled every 5 ms; after
// each run, the outputs, the dotenv report and every file under the workspace, the temp dir and HOME are searched.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { labActVars, runAct } from '../helpers/act.js';
import { runAction } from '../helpers/action.js';
import { DockerClient, unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining } from '../helpers/leftovers.js';
import { runLocal } from '../helpers/pipeline.js';
import { labGitlabVariables, runGitlabCiLocal } from '../helpers/gitlab.js';
import { repoFromFixture } from '../helpers/repo.js';
import { run } from '../helpers/run.js';
import { sampleCommandLines } from '../helpers/sampler.js';

const lab = inject('lab');

describe('the canary password never leaks', () => {
  const client = new DockerClient();
  const canary = lab.registryPassword;
  const image = `${lab.registry}/e2e/${unique('canary')}`;
  const figures: string[] = [];
  let repo = '';

  beforeAll(async () => {
    expect((await client.login(lab.registry, lab.registryUser, canary)).code).toBe(0);
    repo = await repoFromFixture(['hello-app', 'gitlab-pipeline'], 'https://gitlab.example.com/lab/app.git', true);
  });

  afterAll(() => {
    client.dispose();
    rmSync(repo, { recursive: true, force: true });
    console.log(`secrets: ${figures.join('; ')}`);
  });

  async function sampled<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const sampling = sampleCommandLines(canary);
    try {
      return await fn();
    } finally {
      sampling.stop();
      figures.push(
        `${name}: ${sampling.samples} samples of ${sampling.processes} processes, ${sampling.hits.length} hits`,
      );
      expect(sampling.samples).toBeGreaterThan(50);
      expect(sampling.hits).toEqual([]);
    }
  }

  function leftovers(name: string) {
    const found = filesContaining(credentialLocations(repo), canary, [lab.home, client.configDir]);
    figures.push(`${name}: files searched, ${found.length} holding the canary`);
    expect(found).toEqual([]);
  }

  it('the sampler itself sees a secret on a short-lived command line (a test that can fail)', async () => {
    const sampling = sampleCommandLines('canary-self-test-0123');
    await run('sh', ['-c', 'sleep 0.2', 'canary-self-test-0123']);
    sampling.stop();
    expect(sampling.hits.length).toBeGreaterThan(0);
  });

  it.each([
    ['simple inputs', { INPUT_REGISTRY: lab.registry, INPUT_USERNAME: lab.registryUser, INPUT_PASSWORD: canary }],
    [
      'registry-auth',
      {
        INPUT_REGISTRY: '',
        INPUT_USERNAME: '',
        INPUT_PASSWORD: '',
        'INPUT_REGISTRY-AUTH': `- registry: ${lab.registry}\n  username: ${lab.registryUser}\n  password: ${canary}\n`,
      },
    ],
  ] as const)('the local command, logging in with %s', async (name, login) => {
    const result = await sampled(name, () =>
      runLocal(
        lab,
        repo,
        { images: image, tags: `type=raw,value=${name.replace(/\W/g, '-')}`, platforms: 'linux/amd64' },
        { env: login, timeoutMs: 300_000 },
      ),
    );
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(canary);
    leftovers(name);
  });

  it.each(['a prior docker login', 'a credential helper'] as const)(
    'the action with %s and no credential input: the log, the outputs, the disk (the auth entry too)',
    async (name) => {
      const prior = new DockerClient();
      const bin = mkdtempSync(join(tmpdir(), 'e2e-canary-helper-'));
      try {
        const env: Record<string, string> = { DOCKER_CONFIG: prior.configDir };
        if (name === 'a prior docker login') {
          expect((await prior.login(lab.registry, lab.registryUser, canary)).code).toBe(0);
        } else {
          // The helper has the password in its environment, as a cloud helper has its token, never in a file.
          writeFileSync(
            join(bin, 'docker-credential-canary'),
            '#!/bin/sh\nread -r server\nprintf \'{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n\' "$server" "$CANARY_USER" "$CANARY_SECRET"\n',
          );
          chmodSync(join(bin, 'docker-credential-canary'), 0o755);
          writeFileSync(
            join(prior.configDir, 'config.json'),
            JSON.stringify({ credHelpers: { [lab.registry]: 'canary' } }),
          );
          Object.assign(env, {
            PATH: `${bin}:${process.env.PATH ?? ''}`,
            CANARY_USER: lab.registryUser,
            CANARY_SECRET: canary,
          });
        }
        const result = await sampled(name, () =>
          runAction(
            repo,
            { name: 'push', ref: 'refs/heads/main' },
            {
              ...env,
              INPUT_IMAGES: image,
              INPUT_TAGS: `type=raw,value=${name.replace(/\W/g, '-')}`,
              INPUT_PLATFORMS: 'linux/amd64',
              'INPUT_BUILDKIT-IMAGE': lab.buildkitImage,
              'INPUT_DRIVER-OPTS': 'network=host',
              'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}`,
              'INPUT_DB-REPOSITORY': lab.trivyDbRepository,
            },
            300_000,
          ),
        );
        expect(result.main.code, result.main.stdout.slice(-2000)).toBe(0);
        // the runner consumes ::add-mask::, which is how GitHub learns the secret
        const shown = (result.main.stdout + result.main.stderr + result.post.stdout)
          .split('\n')
          .filter((line) => !line.startsWith('::add-mask::'))
          .join('\n');
        expect(shown).not.toContain(canary);
        expect(JSON.stringify(result.outputs) + result.summary).not.toContain(canary);
        // the private config held the copied auth entry (base64 of user:password) for the run only
        const auth = Buffer.from(`${lab.registryUser}:${canary}`).toString('base64');
        const exclude = [lab.home, client.configDir, prior.configDir];
        const found = [
          ...filesContaining(credentialLocations(repo), canary, exclude),
          ...filesContaining(credentialLocations(repo), auth, exclude),
        ];
        figures.push(`${name}: files searched, ${found.length} holding the canary or its auth entry`);
        expect(found).toEqual([]);
      } finally {
        prior.dispose();
        rmSync(bin, { recursive: true, force: true });
      }
    },
  );

  it('a GitHub job through act, the password a secret: the log, GITHUB_OUTPUT and the summary, the disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-canary-act-'));
    const secretFile = join(dir, 'secrets.env');
    writeFileSync(secretFile, `REGISTRY_PASSWORD=${canary}\n`, { mode: 0o600 });
    const actRepo = await repoFromFixture(['hello-app', 'act-pipeline'], 'https://github.com/example/canary.git', true);
    try {
      const result = await sampled('act', () =>
        runAct(actRepo, '.github/workflows/image.yml', [...labActVars(lab, image), `--secret-file=${secretFile}`]),
      );
      expect(result.code, result.stdout.slice(-3000)).toBe(0);
      // act echoes ::set-output:: and the step summary into its log: what GITHUB_OUTPUT and the summary hold
      expect(result.stdout).toContain('::set-output:: digest=');
      expect(result.stdout + result.stderr).not.toContain(canary);
      rmSync(secretFile, { force: true });
      const found = filesContaining(credentialLocations(actRepo), canary, [lab.home, client.configDir, dir]);
      figures.push(`act: files searched, ${found.length} holding the canary`);
      expect(found).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(actRepo, { recursive: true, force: true });
    }
  });

  it('a GitLab job with CI_REGISTRY_PASSWORD: the log, the dotenv report, the reports, the disk', async () => {
    const result = await sampled('gitlab', () =>
      runGitlabCiLocal(repo, { ...labGitlabVariables(lab, image), CI_REGISTRY_PASSWORD: canary }),
    );
    expect(result.code, result.stdout.slice(-3000)).toBe(0);
    // gitlab-ci-local prints the job log; the script never does, though the later job's own login reads it
    expect(result.stdout + result.stderr).not.toContain(canary);
    expect(readFileSync(join(repo, 'docker-build.env'), 'utf8')).not.toContain(canary);
    leftovers('gitlab');
  });
});
