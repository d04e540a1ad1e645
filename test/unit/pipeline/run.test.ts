import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clockReading } from '../../../src/context/read.js';
import { actionEntry } from '../../../src/main.js';
import { CleanupStack } from '../../../src/pipeline/cleanup.js';
import { createDockerEnv } from '../../../src/pipeline/docker-env.js';
import type { Outputs } from '../../../src/pipeline/run.js';
import { fenced, summaryMarkdown, type Failure } from '../../../src/pipeline/summary.js';
import type { Plan } from '../../../src/plan/types.js';

describe('the clock', () => {
  it('reads SOURCE_DATE_EPOCH for reproducible builds', () => {
    expect(clockReading({ SOURCE_DATE_EPOCH: '1700000000' })).toEqual(new Date('2023-11-14T22:13:20Z'));
    const now = new Date('2026-01-01T00:00:00Z');
    expect(clockReading({}, () => now)).toBe(now);
    expect(clockReading({ SOURCE_DATE_EPOCH: 'soon' }, () => now)).toBe(now);
  });
});

describe('the private Docker config', () => {
  it('is a 0700 directory on the cleanup stack, with the user’s CLI plugins still found', () => {
    const cleanup = new CleanupStack();
    const docker = createDockerEnv({ DOCKER_CONFIG: '/home/me/.docker' }, cleanup, true, false);
    expect(docker.vars).toEqual({ DOCKER_CONFIG: docker.workDir, BUILDX_CONFIG: join(docker.workDir, 'buildx') });
    expect(JSON.parse(readFileSync(join(docker.workDir, 'config.json'), 'utf8'))).toEqual({
      auths: {},
      credHelpers: {},
      cliPluginsExtraDirs: ['/home/me/.docker/cli-plugins'],
    });
    expect(cleanup.serialize()).toContain(docker.workDir);
    return cleanup.unwind(undefined as never).then(() => {
      expect(existsSync(docker.workDir)).toBe(false);
    });
  });

  it('keeps the user’s buildx state for an existing builder', () => {
    const cleanup = new CleanupStack();
    const docker = createDockerEnv({ DOCKER_CONFIG: '/home/me/.docker' }, cleanup, true, true);
    expect(docker.vars.BUILDX_CONFIG).toBe('/home/me/.docker/buildx');
    rmSync(docker.workDir, { recursive: true, force: true });
  });
});

describe('the GitHub post step', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('undoes what main left on the cleanup stack, from saved state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'post-'));
    const leftover = mkdtempSync(join(dir, 'docker-config-'));
    writeFileSync(join(leftover, 'config.json'), '{"auths":{"r":{"auth":"c2VjcmV0"}}}');
    // The runner gives the post step its state as STATE_* variables, which @actions/core reads from process.env.
    const env = {
      STATE_isPost: 'true',
      STATE_cleanup: JSON.stringify([{ kind: 'directory', path: leftover }]),
      GITHUB_STATE: join(dir, 'state'),
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const code = await actionEntry(env);
    expect(code).toBe(0);
    expect(existsSync(leftover)).toBe(false);
  });
});

/** The outputs of an image pushed by digest, with nothing else to say: no cache, tag, gate or signature. */
const BARE_OUTPUTS: Outputs = {
  cache: { kind: 'none', read: [], write: null, steps: 0, cached: 0 },
  gates: {},
  digest: 'sha256:idx',
  platformDigests: {},
  image: 'r/app@sha256:idx',
  digestFile: '',
  tags: [],
  labels: [],
  annotations: [],
  version: '',
  metadata: '',
  imageid: '',
  signatures: [],
  verifyCommand: '',
};

describe('the job summary', () => {
  it('shows the push decision, digest, tags, platforms, the cache and step times', () => {
    const plan = { operation: { kind: 'build' }, push: { push: true, reason: 'push is true' } } as Plan;
    const outputs: Outputs = {
      cache: { kind: 'gha', read: ['app-amd64-dev', 'app-amd64-main'], write: 'app-amd64-dev', steps: 5, cached: 4 },
      gates: {},
      digest: 'sha256:idx',
      platformDigests: { 'linux/amd64': 'sha256:a', 'linux/arm64': 'sha256:b' },
      image: 'r/app@sha256:idx',
      digestFile: '',
      tags: ['r/app:1.2.3'],
      labels: [],
      annotations: [],
      version: '1.2.3',
      metadata: '{}',
      imageid: '',
      signatures: [],
      verifyCommand: '',
    };
    const markdown = summaryMarkdown({
      plan,
      outputs,
      times: [{ step: 'Build', seconds: 12.34 }],
      gateSummary: '',
      failure: undefined,
    });
    expect(markdown).toContain('Pushed: push is true.');
    expect(markdown).toContain('**Digest:** `sha256:idx`');
    expect(markdown).toContain('- `r/app:1.2.3`');
    expect(markdown).toContain('| linux/arm64 | `sha256:b` |');
    expect(markdown).toContain('| Build | 12.3 |');
    expect(markdown).toContain(
      '**Cache:** gha, 4 of 5 build steps cached; read `app-amd64-dev`, `app-amd64-main`; written `app-amd64-dev`',
    );
    expect(markdown).not.toContain('**Signed**');
  });

  it('shows what was signed, and how to verify it', () => {
    const plan = { operation: { kind: 'build' }, push: { push: true, reason: 'push is true' } } as Plan;
    const outputs: Outputs = {
      ...BARE_OUTPUTS,
      signatures: ['r/app@sha256:idx', 'mirror/app@sha256:idx'],
      verifyCommand: 'cosign verify --key=k.pub r/app@sha256:idx',
    };
    const markdown = summaryMarkdown({ plan, outputs, times: [], gateSummary: '', failure: undefined });
    expect(markdown).toContain('**Signed** with cosign after the gates, before the tags');
    expect(markdown).toContain('- `mirror/app@sha256:idx`');
    expect(markdown).toContain('Verify: `cosign verify --key=k.pub r/app@sha256:idx`');
  });

  const failed = (failure: Partial<Failure>) =>
    summaryMarkdown({
      plan: { operation: { kind: 'build' }, push: { push: false, reason: 'push is false' } } as Plan,
      outputs: undefined,
      times: [
        { step: 'Set up the builder', seconds: 1.04 },
        { step: 'Build', seconds: 7.25 },
      ],
      gateSummary: '',
      failure: { step: 'Build', message: 'boom', refused: false, cancelled: false, ...failure },
    });

  it.each([
    [{}, '### Failed in step: Build\n\n```\nboom\n```\n\nNot pushed: push is false.'],
    [{ step: undefined }, '### Failed\n\n```\nboom\n```'],
    [{ cancelled: true, message: 'cancelled' }, '### Cancelled during step: Build\n\n```\ncancelled\n```'],
    [
      { step: undefined, refused: true, message: 'Invalid cache "gh"' },
      '### Failed before anything ran\n\n```\nInvalid cache "gh"\n```\n\nNothing was built or pushed.',
    ],
  ])('on failure %j, says so first', (failure, expected) => {
    const markdown = failed(failure);
    expect(markdown.startsWith(`## docker-build\n\n${expected}`), markdown).toBe(true);
  });

  it('says what a promote, a merge and a push: digest build took, by digest; promote and merge show no cache', () => {
    const outputs = BARE_OUTPUTS;
    const summary = (operation: Plan['operation']) =>
      summaryMarkdown({
        plan: { operation, push: { push: true, reason: 'push is auto' } } as Plan,
        outputs,
        times: [],
        gateSummary: '',
        failure: undefined,
      });
    expect(summary({ kind: 'promote', source: 'r/app@sha256:a' })).toContain(
      '**Promoted:** `r/app@sha256:a`, no build.',
    );
    const merged = summary({ kind: 'merge', sources: ['r/app@sha256:a', 'r/app@sha256:b'], repository: 'r/app' });
    expect(merged).toContain('**Merged, no build:**\n\n- `r/app@sha256:a`\n- `r/app@sha256:b`');
    expect(merged).not.toContain('**Cache:**');
    expect(summary({ kind: 'digest', platform: 'linux/arm64', digestFile: 'd/linux-arm64' })).toContain(
      '**Pushed by digest for a merge job:** linux/arm64, `r/app@sha256:idx` (in `d/linux-arm64`); no gate, no tag.',
    );
  });

  it('marks the failed step in the times', () => {
    expect(failed({})).toContain('| Set up the builder | 1.0 |\n| Build (failed) | 7.3 |\n');
  });

  it('shows an error holding backticks as it is, in a longer fence', () => {
    expect(fenced('a ``` b ```` c')).toEqual(['`````', 'a ``` b ```` c', '`````']);
    expect(failed({ message: 'run `make`' })).toContain('```\nrun `make`\n```');
  });
});
