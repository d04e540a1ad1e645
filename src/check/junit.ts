/**
 * The Dockerfile checks as JUnit XML (GitLab's `artifacts:reports:junit`, GitHub test-report actions): one suite, one
 * test case per finding, failed when the gate fails on it; a Dockerfile without findings gets one passing case, so
 * the suite shows up.
 */
import { attribute, text } from '../scan/junit.js';
import type { CheckReport } from './report.js';
import { violationsAreErrors, type CheckVerdict } from './verdict.js';

/** A finding's case fails when the verdict fails on it; BuildKit's error's (a parse error) when the verdict failed. */
export function toCheckJunit(report: CheckReport, dockerfile: string, verdict: CheckVerdict): string {
  const cases = report.findings.map((finding) =>
    testCase(
      dockerfile,
      `${finding.rule}${finding.line === undefined ? '' : ` (line ${finding.line})`}`,
      finding.detail,
      finding.url === undefined ? finding.description : `${finding.description}\n${finding.url}`,
      verdict.failing.includes(finding),
    ),
  );
  const { error } = report;
  if (error !== undefined && !violationsAreErrors(report)) {
    const where = error.line === undefined ? '' : ` (line ${error.line})`;
    cases.push(testCase(dockerfile, `parse${where}`, error.message, error.message, !verdict.passed));
  }
  if (cases.length === 0)
    cases.push({ xml: `    <testcase classname="${attribute(dockerfile)}" name="no findings"/>`, failed: false });
  const failures = cases.filter((c) => c.failed).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dockerfile checks" tests="${cases.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="${attribute(`dockerfile checks ${dockerfile}`)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases.map((c) => c.xml),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testCase(
  dockerfile: string,
  name: string,
  message: string,
  body: string,
  failed: boolean,
): { xml: string; failed: boolean } {
  const open = `    <testcase classname="${attribute(dockerfile)}" name="${attribute(name)}"`;
  if (!failed) return { xml: `${open}/>`, failed };
  return {
    xml: [
      `${open}>`,
      `      <failure message="${attribute(message)}" type="dockerfile-check">${text(body)}</failure>`,
      '    </testcase>',
    ].join('\n'),
    failed,
  };
}
