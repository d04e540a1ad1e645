import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../src/inputs/read.js';
import { declaredHealthcheck } from '../../../src/plan/dockerfile.js';
import { planTest, type TestFacts } from '../../../src/plan/test.js';
import { makePlan } from '../../../src/plan/plan.js';
import { localContext } from '../../../src/context/local.js';

function inputs(given: Record<string, string>) {
  return parseInputs(
    rawInputs(Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]))),
  );
}

const HEALTHY = ['ARG BASE', 'FROM ${BASE}', 'HEALTHCHECK --interval=1s CMD test -f /tmp/up', 'CMD ["serve"]', ''].join(
  '\n',
);
/** A plan as makePlan gives it for no input at all, for planJson. */
const planBase = makePlan({
  ctx: localContext(
    { sha: 'a'.repeat(40), branch: 'main', tag: '', commitDate: '', originUrl: '', originHead: '', topLevel: '/app' },
    new Date(0),
  ),
  inputs: inputs({}),
  logins: [],
  automatic: [],
  toggles: { shortShaLength: undefined, prHeadSha: false, annotationLevels: undefined },
  now: new Date(0),
  builderName: 'b',
  hostPlatform: 'linux/amd64',
  ghaAvailable: false,
  dockerConfig: undefined,
  dockerfile: undefined,
});
const PUSHED: TestFacts = { push: true, engine: true, dockerfile: HEALTHY };

describe('the test gate in the plan', () => {
  it('has none without test or healthcheck', () => {
    expect(planTest(inputs({}), PUSHED)).toBeUndefined();
  });

  it('runs a pushed image with docker where there is an engine, in the builder where there is none', () => {
    expect(planTest(inputs({ test: 'make test' }), PUSHED)).toEqual({
      command: ['make', 'test'],
      env: [],
      timeoutMs: 600_000,
      platforms: [],
      healthcheck: false,
      runner: 'docker',
      runnerReason: 'docker run on the job’s Docker engine',
    });
    expect(planTest(inputs({ test: 'make test' }), { ...PUSHED, engine: false })).toMatchObject({
      runner: 'builder',
      runnerReason: 'in the builder: this job has no Docker engine',
    });
    expect(planTest(inputs({ test: 'make test', 'test-runner': 'builder' }), PUSHED)).toMatchObject({
      runner: 'builder',
      runnerReason: 'test-runner is builder',
    });
  });

  it("tests an image that is not pushed in the builder, from each platform's OCI layout", () => {
    expect(planTest(inputs({ test: 'make test', 'test-runner': 'docker' }), { ...PUSHED, push: false })).toMatchObject({
      runner: 'builder',
      runnerReason: "in the builder, from each platform's OCI layout: the image is not pushed",
    });
  });

  it('refuses test-runner docker without an engine', () => {
    expect(() => planTest(inputs({ test: 'x', 'test-runner': 'docker' }), { ...PUSHED, engine: false })).toThrow(
      /Invalid test-runner "docker": this job has no Docker engine/,
    );
  });

  it('waits for the HEALTHCHECK of a pushed image on an engine', () => {
    expect(planTest(inputs({ healthcheck: 'true' }), PUSHED)).toMatchObject({
      command: undefined,
      healthcheck: true,
      runner: 'docker',
    });
  });

  it('refuses a health check that cannot happen, before anything runs', () => {
    const bare = ['ARG BASE', 'FROM ${BASE}', 'CMD ["serve"]', ''].join('\n');
    expect(() => planTest(inputs({ healthcheck: 'true' }), { ...PUSHED, dockerfile: bare })).toThrow(
      /Invalid healthcheck "true": the final stage of the Dockerfile declares no HEALTHCHECK \(one its base image \$\{BASE\} may have/,
    );
    expect(() => planTest(inputs({ healthcheck: 'true' }), { ...PUSHED, engine: false })).toThrow(
      /Invalid healthcheck "true": starts the image as a container, and this job has no Docker engine/,
    );
    expect(() => planTest(inputs({ healthcheck: 'true', push: 'false' }), { ...PUSHED, push: false })).toThrow(
      /Invalid healthcheck "true": starts the pushed image, and push is false/,
    );
  });

  it('skips the health check, saying so, when push is auto and the image is not pushed (a fork)', () => {
    expect(planTest(inputs({ healthcheck: 'true', test: 'x' }), { ...PUSHED, push: false })).toMatchObject({
      healthcheck: false,
      warning: 'healthcheck: skipped, the image is not pushed (there is no image to start a container from)',
    });
  });
});

describe('the test gate in `plan`', () => {
  it('prints the command and the names of test-env, never their values', async () => {
    const { planJson } = await import('../../../src/cli/plan-json.js');
    const test = planTest(inputs({ test: 'make test', 'test-env': 'TOKEN=s3cr3t' }), PUSHED);
    const json = JSON.stringify(planJson({ ...planBase, test }));
    expect(json).toContain('"test":{"command":["make","test"],"env":["TOKEN"]');
    expect(json).not.toContain('s3cr3t');
  });
});

describe('the HEALTHCHECK a Dockerfile declares for the stage it builds', () => {
  it.each([
    [HEALTHY, undefined, { kind: 'declared' }],
    [
      ['FROM alpine AS base', 'HEALTHCHECK CMD true', 'FROM base', 'CMD ["x"]'].join('\n'),
      undefined,
      { kind: 'declared' },
    ],
    [['FROM alpine', 'HEALTHCHECK CMD true', 'FROM alpine'].join('\n'), undefined, { kind: 'base', image: 'alpine' }],
    [
      ['FROM alpine AS base', 'HEALTHCHECK CMD true', 'FROM base', 'HEALTHCHECK NONE'].join('\n'),
      undefined,
      { kind: 'none' },
    ],
    [['FROM scratch', 'COPY app /app'].join('\n'), undefined, { kind: 'none' }],
    [['FROM alpine AS app', 'HEALTHCHECK CMD true', 'FROM scratch AS other'].join('\n'), 'app', { kind: 'declared' }],
    [
      ['FROM alpine AS a', 'HEALTHCHECK \\', '  --interval=5s CMD wget -q localhost', 'FROM 0'].join('\n'),
      undefined,
      { kind: 'declared' },
    ],
    [['FROM alpine'].join('\n'), 'missing', undefined],
  ])('%#', (dockerfile, target, expected) => {
    expect(declaredHealthcheck(dockerfile, target)).toEqual(expected);
  });
});
