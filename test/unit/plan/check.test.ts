import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../../src/inputs/parse.js';
import { rawInputs } from '../../../src/inputs/read.js';
import { dockerfilePath, planCheck } from '../../../src/plan/check.js';

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
  ])('the Dockerfile of context %s and file %s, as the reports name it: %s', (context, file, path) => {
    expect(dockerfilePath(context, file)).toBe(path);
  });
});
