import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckReport } from '../../../src/check/report.js';
import { checkVerdict, findingsLine, type CheckFailOn } from '../../../src/check/verdict.js';

const report = (name: string) =>
  parseCheckReport(readFileSync(new URL(`../../fixtures/check/${name}.json`, import.meta.url), 'utf8'));

describe('the check gate’s verdict, by check-fail-on', () => {
  it.each<[string, CheckFailOn, boolean]>([
    ['clean', 'error', true],
    ['clean', 'warning', true],
    ['clean', 'none', true],
    // three warnings, no error
    ['warnings', 'error', true],
    ['warnings', 'warning', false],
    ['warnings', 'none', true],
    // `# check=error=true`: BuildKit's own error
    ['error-directive', 'error', false],
    ['error-directive', 'warning', false],
    ['error-directive', 'none', true],
    // a Dockerfile that does not parse: the gate reports it, the build would fail anyway
    ['parse-error', 'error', false],
    ['parse-error', 'warning', false],
    ['parse-error', 'none', true],
    // a base image that cannot be resolved: BuildKit's error, the build would fail on it too
    ['missing-base', 'error', false],
    ['missing-base', 'none', true],
  ])('%s with check-fail-on %s: passed %s', (name, failOn, passed) => {
    expect(checkVerdict(report(name), failOn).passed).toBe(passed);
  });

  it('says why, naming the rules and lines that fail it', () => {
    const directive = checkVerdict(report('error-directive'), 'error');
    expect(directive.reason).toBe('lint violation found for rules: FromAsCasing, ConsistentInstructionCasing.');
    expect(findingsLine(directive.failing)).toBe('FromAsCasing (line 2), ConsistentInstructionCasing (line 4)');
    expect(checkVerdict(report('parse-error'), 'error').reason).toBe(
      'dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?).',
    );
    expect(checkVerdict(report('warnings'), 'warning').reason).toBe('3 rule violations, and check-fail-on is warning.');
    expect(checkVerdict(report('warnings'), 'error')).toEqual({
      passed: true,
      failing: [],
      reason:
        '3 rule violations as warnings; check-fail-on is error, and none is an error (the directive # check=error=true makes them errors).',
    });
    expect(checkVerdict(report('clean'), 'error').reason).toBe('no rule violation.');
    expect(checkVerdict(report('parse-error'), 'none').reason).toMatch(
      /^0 rule violations and BuildKit's error \(dockerfile parse error on line 2: .*\); check-fail-on is none: report only\.$/,
    );
  });

  it('lists the rules of BuildKit’s lint error in the Dockerfile’s order, whatever order BuildKit gave', () => {
    const directive = report('error-directive');
    const shuffled = {
      ...directive,
      error: { message: 'lint violation found for rules: ConsistentInstructionCasing, FromAsCasing', line: undefined },
    };
    expect(checkVerdict(shuffled, 'error').reason).toBe(
      'lint violation found for rules: FromAsCasing, ConsistentInstructionCasing.',
    );
  });

  it('a base image that cannot be resolved fails on BuildKit’s error, not on the warnings found before it', () => {
    const verdict = checkVerdict(report('missing-base'), 'error');
    expect(verdict.failing).toEqual([]);
    expect(checkVerdict(report('missing-base'), 'warning').failing.map((f) => f.rule)).toEqual(['FromAsCasing']);
    expect(verdict.reason).toBe(
      'registry.lab.test:5443/lab/no-such-image:1: failed to resolve source metadata for registry.lab.test:5443/lab/no-such-image:1: registry.lab.test:5443/lab/no-such-image:1: not found (line 3).',
    );
  });
});
