/**
 * JUnit XML, for CI test reports (GitLab's `artifacts:reports:junit`, GitHub test-report actions): one suite per
 * platform, one test case per reported finding, failed when the finding fails the gate. A platform without findings
 * still gets a passing case, so its suite shows up.
 */
import { gatingSet, reportedOf, subject } from './present.js';
import type { Finding, PlatformScan, Verdict } from './types.js';

export function toJunit(scans: readonly PlatformScan[], verdict: Verdict): string {
  const gating = gatingSet(verdict);
  let tests = 0;
  let failures = 0;
  const suites = scans.map((scan) => {
    const findings = reportedOf(verdict, scan.platform);
    const failed = findings.filter((finding) => gating.has(finding)).length;
    const cases = findings.map((finding) => testCase(finding, gating.has(finding)));
    if (cases.length === 0) {
      cases.push(`    <testcase classname="${attribute(scan.artifactName || scan.platform)}" name="no findings"/>`);
    }
    tests += cases.length;
    failures += failed;
    return [
      `  <testsuite name="${attribute(`trivy ${scan.platform}`)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0">`,
      '    <properties>',
      `      <property name="platform" value="${attribute(scan.platform)}"/>`,
      `      <property name="digest" value="${attribute(scan.digest)}"/>`,
      `      <property name="image" value="${attribute(scan.artifactName)}"/>`,
      '    </properties>',
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="trivy" tests="${tests}" failures="${failures}" errors="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

/** `[HIGH] CVE-2019-1549 libssl1.1 1.1.1c-r0→1.1.1d-r0`, `[CRITICAL] aws-access-key-id AWS Access Key ID, line 3` */
export function testCaseName(finding: Finding): string {
  const about =
    finding.kind === 'vulnerability' ? subject(finding) : [finding.title, subject(finding)].filter(Boolean).join(', ');
  return `[${finding.severity}] ${finding.id} ${about}`.trim();
}

function testCase(finding: Finding, failed: boolean): string {
  const open = `    <testcase classname="${attribute(finding.target)}" name="${attribute(testCaseName(finding))}"`;
  if (!failed) return `${open}/>`;
  return [
    `${open}>`,
    `      <failure message="${attribute(finding.title)}" type="${finding.severity}">${text(finding.description)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/**
 * Characters XML 1.0 cannot hold at all, even escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF): dropped.
 * https://www.w3.org/TR/xml/#charsets
 */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Element text: the five special characters escaped, invalid characters dropped. */
export function text(value: string): string {
  return value
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values: as text, and tabs and line breaks as references, which a parser would otherwise turn to spaces. */
export function attribute(value: string): string {
  return text(value).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
