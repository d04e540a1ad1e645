/**
 * The test gate's reports, pure: a JUnit file (one test case per platform, for GitLab's `artifacts:reports:junit` and
 * GitHub's test-report actions), a row per platform for the job summary and the log, and the one-line failure.
 */
import { attribute, text } from '../../scan/junit.js';

/** One platform's test: what ran, how it ended, and the end of its output. */
export interface PlatformTest {
  platform: string;
  digest: string;
  passed: boolean;
  /** the command's exit code; undefined when it never ran or did not end by itself (timeout, health check) */
  exitCode: number | undefined;
  seconds: number;
  /** why it failed, in a few words: `exit code 1`, `timed out after 10m`, `unhealthy` */
  reason: string | undefined;
  /** the last lines of its output (the container's log for a health check); kept for failures only */
  tail: string[];
}

/** The lines of output a failure shows. */
export const TAIL_LINES = 20;

export function toTestJunit(tests: readonly PlatformTest[], what: string, image: string): string {
  const failures = tests.filter((test) => !test.passed).length;
  const seconds = tests.reduce((sum, test) => sum + test.seconds, 0);
  const cases = tests.map((test) => {
    const open = `    <testcase classname="${attribute(image)}" name="${attribute(`${test.platform}: ${what}`)}" time="${test.seconds.toFixed(3)}"`;
    if (test.passed) return `${open}/>`;
    return [
      `${open}>`,
      `      <failure message="${attribute(`${test.platform}: ${test.reason ?? 'failed'}`)}" type="test">${text(test.tail.join('\n'))}</failure>`,
      '    </testcase>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="docker-build test gate" tests="${tests.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="test gate" tests="${tests.length}" failures="${failures}" errors="0" skipped="0" time="${seconds.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function verdict(test: PlatformTest): string {
  return test.passed ? 'passed' : `FAILED (${test.reason ?? 'failed'})`;
}

function exit(test: PlatformTest): string {
  return test.exitCode === undefined ? '-' : String(test.exitCode);
}

/** For the job summary: a row per platform, then each failure's last lines. */
export function testSummaryMarkdown(tests: readonly PlatformTest[], what: string): string {
  const passed = tests.every((test) => test.passed);
  const lines = [
    `### Test gate: ${passed ? 'passed' : 'failed'}`,
    '',
    what,
    '',
    '| platform | result | exit code | seconds |',
    '| --- | --- | ---: | ---: |',
    ...tests.map((t) => `| ${t.platform} | ${verdict(t)} | ${exit(t)} | ${t.seconds.toFixed(1)} |`),
  ];
  for (const test of tests.filter((t) => !t.passed && t.tail.length > 0)) {
    lines.push('', `**${test.platform}**, last lines:`, '', ...fenced(test.tail.join('\n')));
  }
  return `${lines.join('\n')}\n`;
}

/** For the log, after the gate's group: a line per platform, then each failure's last lines. */
export function testSummaryText(tests: readonly PlatformTest[]): string {
  const width = Math.max(...tests.map((test) => test.platform.length), 8);
  const lines = [
    `test gate: ${tests.every((test) => test.passed) ? 'passed' : 'FAILED'}`,
    ...tests.map((t) => `  ${t.platform.padEnd(width)}  ${verdict(t)}  exit code ${exit(t)}  ${t.seconds.toFixed(1)}s`),
  ];
  for (const test of tests.filter((t) => !t.passed && t.tail.length > 0)) {
    lines.push(
      `${test.platform}, last ${test.tail.length} line(s) of output:`,
      ...test.tail.map((line) => `  ${line}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A code block that holds any output as text (../summary.ts has the same; importing it would close a cycle). */
function fenced(text: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence, text.trimEnd(), fence];
}

/** The failure, in one line: `the test gate failed on linux/arm64 (exit code 1)`. */
export function testFailure(tests: readonly PlatformTest[]): string | undefined {
  const failed = tests.filter((test) => !test.passed);
  if (failed.length === 0) return undefined;
  return `the test gate failed on ${failed.map((t) => `${t.platform} (${t.reason ?? 'failed'})`).join(', ')}`;
}
