import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toCodeQuality } from '../../../src/check/codequality.js';
import { parseCheckReport } from '../../../src/check/report.js';

const report = (name: string) =>
  parseCheckReport(readFileSync(new URL(`../../fixtures/check/${name}.json`, import.meta.url), 'utf8'));

describe('the Dockerfile checks as a GitLab code quality report', () => {
  it('warnings: minor issues on their lines, one fingerprint each', () => {
    const issues = toCodeQuality(report('warnings'), 'app/Dockerfile');
    expect(issues.map((i) => [i.check_name, i.severity, i.location])).toEqual([
      ['dockerfile/FromAsCasing', 'minor', { path: 'app/Dockerfile', lines: { begin: 1 } }],
      ['dockerfile/ConsistentInstructionCasing', 'minor', { path: 'app/Dockerfile', lines: { begin: 3 } }],
      ['dockerfile/JSONArgsRecommended', 'minor', { path: 'app/Dockerfile', lines: { begin: 5 } }],
    ]);
    expect(issues[2]?.description).toBe(
      'JSONArgsRecommended: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
    );
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(3);
    expect(issues[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('under check=error=true the findings are major; a parse error is one critical issue', () => {
    expect(toCodeQuality(report('error-directive'), 'Dockerfile').map((i) => i.severity)).toEqual(['major', 'major']);
    expect(toCodeQuality(report('parse-error'), 'Dockerfile')).toEqual([
      expect.objectContaining({
        check_name: 'dockerfile/parse',
        severity: 'critical',
        location: { path: 'Dockerfile', lines: { begin: 2 } },
      }),
    ]);
    expect(toCodeQuality(report('clean'), 'Dockerfile')).toEqual([]);
  });

  it('the same finding gives the same fingerprint on every run', () => {
    const once = toCodeQuality(report('warnings'), 'Dockerfile');
    expect(toCodeQuality(report('warnings'), 'Dockerfile')).toEqual(once);
  });

  it('a base image not found: the warning stays minor, BuildKit’s error is critical on the FROM’s line', () => {
    expect(
      toCodeQuality(report('missing-base'), 'Dockerfile').map((i) => [i.check_name, i.severity, i.location]),
    ).toEqual([
      ['dockerfile/FromAsCasing', 'minor', { path: 'Dockerfile', lines: { begin: 1 } }],
      ['dockerfile/parse', 'critical', { path: 'Dockerfile', lines: { begin: 3 } }],
    ]);
  });
});
