// Cancellation: SIGTERM (what a CI runner sends a cancelled job) and SIGINT to the local command mid-build; the cleanup
// still removes the private Docker config with the credentials and the builder, and the next run works.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unique } from '../helpers/docker.js';
import { credentialLocations, filesContaining, leftoverBuilders } from '../helpers/leftovers.js';
import { runLocal, startLocal } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';

const lab = inject('lab');

describe('a cancelled run cleans up, and the next one works', () => {
  const image = `${lab.registry}/e2e/${unique('cancel')}`;
  let repo = '';

  beforeAll(async () => {
    repo = await repoFromFixture('hello-app');
    writeFileSync(join(repo, 'Dockerfile.slow'), 'ARG BASE\nFROM ${BASE}\nRUN sleep 120\n');
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s mid-build: exit %i, nothing left behind', async (signal, code) => {
    const { child, exited, stderr } = await startLocal(
      lab,
      repo,
      { images: image, file: 'Dockerfile.slow', tags: 'type=raw,value=slow' },
      'RUN sleep 120',
    );
    child.kill(signal);
    expect(await exited).toBe(code);
    const config = /--metadata-file=(\/[^ ]*)\/metadata\.json/.exec(stderr())?.[1] ?? '';
    expect(config).not.toBe('');
    expect(existsSync(config)).toBe(false);
    expect(await leftoverBuilders()).toEqual([]);
    expect(filesContaining(credentialLocations(repo), lab.registryPassword, [lab.home])).toEqual([]);
  });

  it('the run after a cancel works', async () => {
    const result = await runLocal(
      lab,
      repo,
      { images: image, tags: 'type=raw,value=after', platforms: 'linux/amd64' },
      { timeoutMs: 300_000 },
    );
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toContain(`${image}:after`);
  });
});
