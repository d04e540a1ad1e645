import { describe, expect, it } from 'vitest';
import { planJson } from '../../../src/cli/plan-json.js';
import { gitlabContext } from '../../../src/context/gitlab.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { rawInputs } from '../../../src/inputs/read.js';
import { dockerfilePath, planCheck } from '../../../src/plan/check.js';
import { makePlan } from '../../../src/plan/plan.js';
import { readEnvFile } from '../helpers/env-file.js';

const inputs = (given: Record<string, string> = {}) =>
  parseInputs(
    rawInputs(Object.fromEntries(Object.entries(given).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]))),
  );

describe('the check gate in the plan', () => {
  it('is on by default, failing on errors, with what the build reads and nothing else', () => {
    const check = planCheck(
      inputs({
        context: 'app',
        target: 'runtime',
        platforms: 'linux/amd64,linux/arm64',
        'build-args': 'A=1',
        'build-contexts': 'deps=../deps',
        secrets: 'token=hunter2',
        ssh: 'default',
      }),
    );
    expect(check).toEqual({
      failOn: 'error',
      dockerfile: 'app/Dockerfile',
      build: {
        context: 'app',
        file: undefined,
        target: 'runtime',
        platforms: ['linux/amd64', 'linux/arm64'],
        buildArgs: [{ key: 'A', value: '1' }],
        buildContexts: [{ key: 'deps', value: '../deps' }],
      },
    });
    // No secret reaches the check's plan, let alone its argv.
    expect(JSON.stringify(check)).not.toContain('hunter2');
  });

  it('check: false leaves it out; check-fail-on is read', () => {
    expect(planCheck(inputs({ check: 'false' }))).toBeUndefined();
    expect(planCheck(inputs({ 'check-fail-on': 'warning' }))?.failOn).toBe('warning');
    expect(planCheck(inputs({ 'check-fail-on': ' none ' }))?.failOn).toBe('none');
  });

  it.each([
    [{ 'check-fail-on': 'maybe' }, /^Invalid check-fail-on "maybe": expected one of error, warning, none$/],
    [{ 'check-fail-on': 'ERROR' }, /^Invalid check-fail-on "ERROR": expected one of error, warning, none$/],
    [{ check: 'yes please' }, /^Invalid check "yes please": expected true or false$/],
  ])('bad input %o: %s', (given, message) => {
    expect(() => inputs(given)).toThrow(message);
  });

  it.each([
    ['.', undefined, 'Dockerfile'],
    ['app', undefined, 'app/Dockerfile'],
    ['./app/', undefined, 'app/Dockerfile'],
    ['.', './build/Dockerfile', 'build/Dockerfile'],
    ['app', 'app/../Dockerfile.ci', 'Dockerfile.ci'],
    ['https://github.com/o/app.git#main:docker', undefined, 'Dockerfile'],
  ])('the Dockerfile of context %s and file %s, as the reports name it: %s', (context, file, path) => {
    expect(dockerfilePath(context, file)).toBe(path);
  });
});

describe('plan', () => {
  const NOW = new Date('2026-11-22T08:00:00Z');
  const printed = (given: Record<string, string>) => {
    const parsed = inputs(given);
    return planJson(
      makePlan({
        ctx: gitlabContext(readEnvFile('gitlab/branch-main.env'), NOW),
        inputs: parsed,
        logins: parsed.logins,
        automatic: [],
        toggles: { shortShaLength: undefined, prHeadSha: false, annotationLevels: undefined },
        now: NOW,
        builderName: 'b',
        hostPlatform: 'linux/amd64',
        ghaAvailable: false,
        dockerConfig: undefined,
        dockerfile: undefined,
      }),
    );
  };

  it('prints the check gate: what fails it, the Dockerfile, and the exact command line, without the secrets', () => {
    const json = printed({
      images: 'r.example.com/app',
      file: 'app/Dockerfile',
      'build-args': 'A=1',
      secrets: 'tok=hunter2',
    });
    expect(json.check).toEqual({
      failOn: 'error',
      dockerfile: 'app/Dockerfile',
      argv: [
        'docker',
        'buildx',
        'build',
        '--builder=b',
        '--call=check,format=json',
        '--progress=plain',
        '--file=app/Dockerfile',
        '--build-arg=A=1',
        '--',
        '.',
      ],
    });
    expect(JSON.stringify(json)).not.toContain('hunter2');
    expect(printed({ images: 'r.example.com/app', check: 'false' }).check).toBeNull();
  });
});
