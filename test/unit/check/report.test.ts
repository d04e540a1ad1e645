import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckReport } from '../../../src/check/report.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/check/${name}.json`, import.meta.url), 'utf8');

describe("buildx's Dockerfile check report", () => {
  it('warnings: each rule, its detail, its documentation and its line', () => {
    const report = parseCheckReport(fixture('warnings'));
    expect(report.error).toBeUndefined();
    expect(report.findings.map((f) => [f.rule, f.line, f.endLine])).toEqual([
      ['FromAsCasing', 1, 1],
      ['ConsistentInstructionCasing', 3, 3],
      ['JSONArgsRecommended', 5, 5],
    ]);
    expect(report.findings[2]).toMatchObject({
      detail: 'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
      url: 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
    });
  });

  it('check=error=true: the warnings, and the error that fails the build (no line)', () => {
    const report = parseCheckReport(fixture('error-directive'));
    expect(report.findings.map((f) => f.rule)).toEqual(['FromAsCasing', 'ConsistentInstructionCasing']);
    expect(report.error).toEqual({
      message: 'lint violation found for rules: FromAsCasing, ConsistentInstructionCasing',
      line: undefined,
    });
  });

  it('a Dockerfile that does not parse: no warnings, the error with its line', () => {
    expect(parseCheckReport(fixture('parse-error'))).toEqual({
      findings: [],
      error: { message: 'dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)', line: 2 },
    });
  });

  it('clean: nothing', () => {
    expect(parseCheckReport(fixture('clean'))).toEqual({ findings: [], error: undefined });
  });

  it.each([
    ['', /not JSON/],
    ['[]', /not a JSON object/],
    ['{"warnings": {}}', /warnings that are not a list/],
    ['{"warnings": [1]}', /warnings\[0\] is not an object/],
  ])('refuses %j', (json, message) => {
    expect(() => parseCheckReport(json)).toThrow(message);
  });
});
