// A cancelled GitHub job (act receives SIGINT mid-build, as a runner does when the run is cancelled): the action's
// cleanup (in main, or in the post step from the state main saved) removes the Docker config with the credentials and
// the builder; the next job works.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { actArgs, labActVars, runAct } from '../helpers/act.js';
import { unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining, leftoverBuilders } from '../helpers/leftovers.js';
import { repoFromFixture } from '../helpers/repo.js';

const lab = inject('lab');

describe('a cancelled act job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-act-cancel-'));
  const image = `${lab.registry}/e2e/${unique('actcancel')}`;
  let repo = '';
  let args: string[] = [];

  beforeAll(async () => {
    repo = await repoFromFixture(['hello-app', 'act-pipeline'], 'https://github.com/example/cancel.git', true);
    const secretFile = join(dir, 'secrets.env');
    writeFileSync(secretFile, `REGISTRY_PASSWORD=${lab.registryPassword}\n`, { mode: 0o600 });
    args = [...labActVars(lab, image), `--secret-file=${secretFile}`];
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGINT mid-build: no builder and no credentials left; the next job succeeds', async () => {
    writeFileSync(join(repo, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nRUN sleep 120\n');
    const artifacts = mkdtempSync(join(tmpdir(), 'e2e-act-artifacts-'));
    const child = spawn('act', actArgs('.github/workflows/image.yml', args, artifacts), {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => {
      const collect = (chunk: string) => {
        log += chunk;
        if (log.includes('RUN sleep 120')) resolve();
      };
      child.stdout.setEncoding('utf8').on('data', collect);
      child.stderr.setEncoding('utf8').on('data', collect);
    });
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    rmSync(artifacts, { recursive: true, force: true });
    // act stops the job's processes; what they registered is undone by main or by the post step
    expect(await leftoverBuilders()).toEqual([]);
    expect(filesContaining(credentialLocations(repo), lab.registryPassword, [lab.home, dir])).toEqual([]);

    writeFileSync(join(repo, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nRUN echo fine > /fine\n');
    const next = await runAct(repo, '.github/workflows/image.yml', args);
    expect(next.code, next.stdout.slice(-3000)).toBe(0);
  });
});
