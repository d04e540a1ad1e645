// List inputs as build-push-action users write them, through dist/ run as the GitHub Action: quoted secret lines, a
// value with commas, one with leading and trailing spaces, one over several lines, and secret-envs each reach the
// build byte for byte (the fixture's Dockerfile compares every secret file with the expected bytes and fails the build
// otherwise); a quoted build-arg keeps its comma. No secret value shows in the log.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAction, type ActionRun } from '../helpers/action.js';
import { labInputs } from '../helpers/pipeline.js';
import { repoFromFixture } from '../helpers/repo.js';
import { must } from '../helpers/run.js';

const lab = inject('lab');

const PUSH = { name: 'push', ref: 'refs/heads/main' };

/** A fresh canary per run, so that a match in the log can only be a leak of this run's secrets. */
const canary = (label: string) => `${label}${randomBytes(8).toString('hex')}`;

const SECRETS = {
  github_token: `ghs_${canary('token')}`,
  comma: `a,${canary('comma')},b=c`,
  padded: `  ${canary('padded')} inner space  `,
  multiline: `-----BEGIN E2E KEY-----\n${canary('lineone')}\n\n${canary('linethree')}\n-----END E2E KEY-----\n`,
  fromenv: `env ${canary('fromenv')}`,
  fromenv2: `${canary('fromenvlineone')}\n${canary('fromenvlinetwo')}`,
};

/** The secrets input as docs.docker.com writes it for build-push-action: each line in quotes. */
const SECRETS_INPUT = [
  `"github_token=${SECRETS.github_token}"`,
  `"comma=${SECRETS.comma}"`,
  `"padded=${SECRETS.padded}"`,
  `"multiline=${SECRETS.multiline}"`,
].join('\n');

/** The parts of the secrets no log may show: every canary. */
const NEEDLES = Object.values(SECRETS).flatMap((value) => value.match(/[a-z]+[0-9a-f]{16}/g) ?? []);

describe('list inputs as build-push-action reads them, through the action, in the lab', () => {
  let repo = '';

  function inputs(secrets: string): Record<string, string> {
    return {
      ...labInputs(lab),
      'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}\n"A=1,2"`,
      INPUT_SECRETS: secrets,
      'INPUT_SECRET-ENVS': 'fromenv=E2E_LIST_SECRET_A, fromenv2=E2E_LIST_SECRET_B',
      E2E_LIST_SECRET_A: SECRETS.fromenv,
      E2E_LIST_SECRET_B: SECRETS.fromenv2,
      INPUT_PUSH: 'false',
      INPUT_SCAN: 'false',
      INPUT_CACHE: 'none',
    };
  }

  /** What the job's log shows: GitHub takes the `::add-mask::` commands out of it. */
  function log(result: ActionRun): string {
    return [result.main.stdout, result.main.stderr, result.post.stdout, result.post.stderr]
      .join('\n')
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
  }

  /**
   * The builder containers of the run's own builder that are left (other sessions' builders may run in the same
   * lab at the same time: only this run's count).
   */
  async function ownBuilderLeft(all: string): Promise<string[]> {
    const name = /--builder=(docker-build-[0-9a-f]+)/.exec(all)?.[1];
    expect(name, 'the build command names its builder').toBeDefined();
    const { stdout } = await must('docker', ['ps', '--all', '--format', '{{.Names}}']);
    return stdout.split('\n').filter((container) => container.startsWith(`buildx_buildkit_${name ?? ''}`));
  }

  beforeAll(async () => {
    repo = await repoFromFixture('secrets-app');
    // The expected bytes, for the Dockerfile's cmp: written here, so that they are this run's canaries.
    mkdirSync(join(repo, 'expected'));
    for (const [id, value] of Object.entries(SECRETS)) writeFileSync(join(repo, 'expected', id), value);
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('quoted lines, commas, spaces, several lines and secret-envs reach RUN --mount=type=secret exactly', async () => {
    expect(NEEDLES).toHaveLength(8);
    const result = await runAction(repo, PUSH, inputs(SECRETS_INPUT));
    const all = log(result);
    expect(result.main.code, all.slice(-4000)).toBe(0);
    // The RUN's own output line (`#8 0.51 secrets: ...`), not the Dockerfile's text that buildx also shows.
    expect(all).toMatch(/^#\d+ [\d.]+ secrets: all 6 match$/m);
    expect(all).toMatch(/--secret=id=fromenv,env=E2E_LIST_SECRET_A/);
    for (const needle of NEEDLES) expect(all).not.toContain(needle);
    // Every line of every secret was handed to GitHub's mask, the secret-envs values included.
    for (const needle of NEEDLES) expect(result.main.stdout).toMatch(new RegExp(`^::add-mask::.*${needle}`, 'm'));
    expect(result.post.code).toBe(0);
    expect(await ownBuilderLeft(all)).toEqual([]);
  });

  it('a secret that differs by its spaces fails the build: the check is byte for byte', async () => {
    // Unquoted and without the spaces: what a reader that trims would have passed on.
    const trimmed = SECRETS_INPUT.replace(`"padded=${SECRETS.padded}"`, `padded=${SECRETS.padded.trim()}`);
    const result = await runAction(repo, PUSH, inputs(trimmed));
    const all = log(result);
    expect(result.main.code, all.slice(-4000)).toBe(1);
    expect(all).toMatch(/cmp: .*\/run\/secrets\/padded|\/run\/secrets\/padded .*differ|EOF on \/run\/secrets\/padded/);
    expect(all).not.toMatch(/^#\d+ [\d.]+ secrets: all 6 match$/m);
    for (const needle of NEEDLES) expect(all).not.toContain(needle);
    expect(await ownBuilderLeft(all)).toEqual([]);
  });

  it.each([
    [
      'a secret-envs variable that is not set',
      { 'INPUT_SECRET-ENVS': 'fromenv=E2E_LIST_SECRET_UNSET' },
      /Invalid secret-envs "fromenv=E2E_LIST_SECRET_UNSET": E2E_LIST_SECRET_UNSET is not set in this job/,
    ],
    [
      'a quote never closed in secrets',
      { INPUT_SECRETS: `"github_token=${SECRETS.github_token}"\n"multiline=${SECRETS.multiline}` },
      /Invalid secrets: the quote that opens on line 2 is never closed/,
    ],
    [
      'a quote never closed in build-args',
      { 'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}\n"A=1,2` },
      /Invalid build-args "\\"A=1,2": the quote that opens on line 2 is never closed/,
    ],
  ])('%s: exit 2 before anything runs, naming the input', async (_name, bad, message) => {
    const result = await runAction(repo, PUSH, { ...inputs(SECRETS_INPUT), ...bad });
    const all = log(result);
    expect(result.main.code, all.slice(-4000)).toBe(2);
    expect(all).toMatch(message);
    // nothing ran but git: no login, no builder, no build
    expect(all).not.toMatch(/^\$ docker/m);
    for (const needle of NEEDLES) expect(all).not.toContain(needle);
  });
});
