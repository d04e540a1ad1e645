// The check gate's reports from buildx's real check reports (test/fixtures/check/): SARIF valid under SARIF 2.1.0 (the
// final schema and rtm.5, as test/unit/scan/schemas.test.ts checks Trivy's), one rule per BuildKit rule and each
// result on its line; JUnit with a case per finding; the summary's table and verdict.
import { readFileSync } from 'node:fs';
import ajvDraft04 from 'ajv-draft-04';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { toCheckJunit } from '../../../src/check/junit.js';
import { parseCheckReport } from '../../../src/check/report.js';
import { toCheckSarif } from '../../../src/check/sarif.js';
import { checkSkippedMarkdown, checkSummaryMarkdown, checkSummaryText } from '../../../src/check/summary.js';
import { checkVerdict, type CheckFailOn } from '../../../src/check/verdict.js';

const { default: Ajv2020 } = ajv2020;
const { default: AjvDraft04 } = ajvDraft04;
const { default: addFormats } = ajvFormats;

const report = (name: string) =>
  parseCheckReport(readFileSync(new URL(`../../fixtures/check/${name}.json`, import.meta.url), 'utf8'));
/** The report of a fixture, and the verdict on it under `failOn`. */
const judged = (name: string, failOn: CheckFailOn = 'error') => {
  const parsed = report(name);
  return [parsed, checkVerdict(parsed, failOn)] as const;
};
const judgedWith = (name: string, path: string, failOn: CheckFailOn) => {
  const [parsed, verdict] = judged(name, failOn);
  return [parsed, path, verdict] as const;
};
const schema = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/schemas/${name}`, import.meta.url), 'utf8')) as object;

const final = new Ajv2020({ allErrors: true });
addFormats(final);
const rtm5 = new AjvDraft04({ allErrors: true, unicodeRegExp: false });
addFormats(rtm5);
const VALIDATORS = [final.compile(schema('sarif-2.1.0.json')), rtm5.compile(schema('sarif-2.1.0-rtm.5.json'))];

describe('SARIF', () => {
  it.each(['clean', 'warnings', 'error-directive', 'parse-error', 'missing-base'])(
    '%s is valid SARIF 2.1.0',
    (name) => {
      const log = toCheckSarif(...judgedWith(name, 'app/Dockerfile', name === 'warnings' ? 'error' : 'warning'));
      for (const validate of VALIDATORS) {
        expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      }
    },
  );

  it('one rule per BuildKit rule, with its documentation; each result on its line, a warning', () => {
    const [run] = toCheckSarif(...judgedWith('warnings', 'app/Dockerfile', 'error')).runs;
    expect(run?.automationDetails.id).toBe('docker-build/dockerfile-checks/');
    expect(run?.tool.driver.rules.map((rule) => [rule.id, rule.helpUri])).toEqual([
      ['FromAsCasing', 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/'],
      ['ConsistentInstructionCasing', 'https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/'],
      ['JSONArgsRecommended', 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/'],
    ]);
    expect(run?.results[2]).toEqual({
      ruleId: 'JSONArgsRecommended',
      ruleIndex: 2,
      level: 'warning',
      message: {
        text: 'JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals',
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'app/Dockerfile', uriBaseId: 'ROOTPATH' },
            region: { startLine: 5, endLine: 5 },
          },
        },
      ],
      properties: { gating: false },
    });
  });

  it('under check=error=true the results are errors; a parse error is a result of its own on its line', () => {
    const directive = toCheckSarif(...judgedWith('error-directive', 'Dockerfile', 'warning')).runs[0];
    expect(
      directive?.results.map((r) => [r.ruleId, r.level, r.locations[0]?.physicalLocation.region.startLine]),
    ).toEqual([
      ['FromAsCasing', 'error', 2],
      ['ConsistentInstructionCasing', 'error', 4],
    ]);
    const parse = toCheckSarif(...judgedWith('parse-error', 'Dockerfile', 'warning')).runs[0];
    expect(parse?.results.map((r) => [r.ruleId, r.level, r.locations[0]?.physicalLocation.region.startLine])).toEqual([
      ['parse', 'error', 2],
    ]);
    expect(toCheckSarif(...judgedWith('clean', 'Dockerfile', 'error')).runs[0]?.results).toEqual([]);
  });

  it('a base image not found: the warnings stay warnings, BuildKit’s error is a result on the FROM’s line', () => {
    const run = toCheckSarif(...judgedWith('missing-base', 'Dockerfile', 'error')).runs[0];
    expect(
      run?.results.map((r) => [
        r.ruleId,
        r.level,
        r.properties.gating,
        r.locations[0]?.physicalLocation.region.startLine,
      ]),
    ).toEqual([
      ['FromAsCasing', 'warning', false, 1],
      ['parse', 'error', true, 3],
    ]);
    const junit = toCheckJunit(...judgedWith('missing-base', 'Dockerfile', 'error'));
    expect(junit).toContain('tests="2" failures="1"');
    expect(junit).toContain('<testcase classname="Dockerfile" name="FromAsCasing (line 1)"/>');
  });

  it('a path with a space or # is a URI reference', () => {
    const log = toCheckSarif(...judgedWith('warnings', 'my app/Dockerfile#1', 'error'));
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'my%20app/Dockerfile%231',
    );
  });
});

describe('JUnit', () => {
  it('a case per finding, failed when the gate fails on it', () => {
    const passing = toCheckJunit(...judgedWith('warnings', 'Dockerfile', 'error'));
    expect(passing).toContain('<testsuites name="dockerfile checks" tests="3" failures="0" errors="0">');
    expect(passing).toContain('<testcase classname="Dockerfile" name="FromAsCasing (line 1)"/>');
    expect(passing).toContain('<testcase classname="Dockerfile" name="JSONArgsRecommended (line 5)"/>');
    const failing = toCheckJunit(...judgedWith('warnings', 'Dockerfile', 'warning'));
    expect(failing).toContain('tests="3" failures="3"');
    expect(failing).toContain(
      `<failure message="&apos;as&apos; and &apos;FROM&apos; keywords&apos; casing do not match" type="dockerfile-check">`,
    );
  });

  it('one passing case for a clean Dockerfile; the parse error as a failed case', () => {
    expect(toCheckJunit(...judgedWith('clean', 'Dockerfile', 'error'))).toContain(
      '<testcase classname="Dockerfile" name="no findings"/>',
    );
    const parse = toCheckJunit(...judgedWith('parse-error', 'Dockerfile', 'warning'));
    expect(parse).toContain('tests="1" failures="1"');
    expect(parse).toContain('name="parse (line 2)"');
  });
});

describe('the summary', () => {
  it('a table of rule, line, description and link; the verdict', () => {
    const warnings = report('warnings');
    const markdown = checkSummaryMarkdown(warnings, checkVerdict(warnings, 'error'), 'app/Dockerfile');
    expect(markdown).toContain('### Dockerfile checks (BuildKit)');
    expect(markdown).toContain('| Rule | Line | Description | Link |');
    expect(markdown).toContain(
      "| FromAsCasing | 1 | 'as' and 'FROM' keywords' casing do not match | [docs](https://docs.docker.com/go/dockerfile/rule/from-as-casing/) |",
    );
    expect(markdown).toContain('**Passed**: 3 rule violations as warnings');
    const failed = checkSummaryMarkdown(warnings, checkVerdict(warnings, 'warning'), 'app/Dockerfile');
    expect(failed).toContain('**Failed**: 3 rule violations, and check-fail-on is warning.');
  });

  it('for the log: each finding at file:line, then the verdict', () => {
    const directive = report('error-directive');
    expect(checkSummaryText(directive, checkVerdict(directive, 'error'), 'Dockerfile')).toBe(
      [
        'Dockerfile checks (BuildKit): Dockerfile',
        "  Dockerfile:2  FromAsCasing  'as' and 'FROM' keywords' casing do not match  https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
        "  Dockerfile:4  ConsistentInstructionCasing  Command 'from' should match the case of the command majority (uppercase)  https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/",
        'FAILED: lint violation found for rules: FromAsCasing, ConsistentInstructionCasing.',
        '',
      ].join('\n'),
    );
    const parse = report('parse-error');
    expect(checkSummaryMarkdown(parse, checkVerdict(parse, 'error'), 'Dockerfile')).toContain(
      "BuildKit's error (line 2): dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)",
    );
  });

  it('markup in BuildKit’s text stays text', () => {
    const hostile = parseCheckReport(
      JSON.stringify({ warnings: [{ ruleName: 'R|x', detail: '<img src=x> | *bold*', url: 'javascript:alert(1)' }] }),
    );
    const markdown = checkSummaryMarkdown(hostile, checkVerdict(hostile, 'error'), 'Dockerfile');
    expect(markdown).toContain('| R\\|x |  | &lt;img src=x&gt; \\| \\*bold\\* |  |');
    expect(checkSkippedMarkdown('no checks')).toBe('### Dockerfile checks (BuildKit)\n\n**Skipped**: no checks\n');
  });
});
