import { describe, expect, it } from 'vitest';
import { toJunit, testCaseName } from '../../../src/scan/junit.js';
import { evaluatePolicy } from '../../../src/scan/policy.js';
import type { Finding, PlatformScan } from '../../../src/scan/types.js';
import { findingOf, REPORT_ALL, scanOf, twoPlatforms } from './helpers.js';

/**
 * Enough of an XML 1.0 well-formedness check for this output: one declaration, balanced and properly nested
 * elements, quoted attributes, no raw `<` or stray `&` in text, no characters XML cannot hold.
 */
function expectWellFormed(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  const body = xml.slice(xml.indexOf('?>') + 2);
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>/y;
  let at = 0;
  while (at < body.length) {
    const next = body.indexOf('<', at);
    const textEnd = next === -1 ? body.length : next;
    const text = body.slice(at, textEnd);
    expect(text).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
    if (stack.length === 0) expect(text.trim()).toBe('');
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(body);
    expect(match, `a tag at ${body.slice(next, next + 40)}`).not.toBeNull();
    if (match === null) return;
    const [whole, closing, name, attributes, selfClosing] = match;
    expect(attributes).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/);
    if (closing === '/') {
      expect(stack.pop()).toBe(name);
    } else {
      if (stack.length === 0) roots += 1;
      if (selfClosing !== '/') stack.push(name ?? '');
    }
    at = next + whole.length;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const count = (xml: string, pattern: RegExp): number => xml.match(pattern)?.length ?? 0;

describe('toJunit', () => {
  const { scans, verdict } = twoPlatforms();
  const xml = toJunit(scans, verdict);

  it('is well-formed: one suite per platform, one case per reported finding', () => {
    expectWellFormed(xml);
    expect(count(xml, /<testsuites /g)).toBe(1);
    expect(count(xml, /<testsuite /g)).toBe(2);
    expect(count(xml, /<testcase /g)).toBe(6);
    expect(xml).toContain('<testsuite name="trivy linux/amd64" tests="4" failures="0" errors="0" skipped="0">');
    expect(xml).toContain('<testsuite name="trivy linux/arm64" tests="2" failures="2" errors="0" skipped="0">');
    expect(xml).toContain('<testsuites name="trivy" tests="6" failures="2" errors="0">');
  });

  it('fails exactly the gating findings', () => {
    expect(count(xml, /<failure /g)).toBe(verdict.failing.length);
    expect(xml).toContain(
      '<testcase classname="testdata/fixtures/images/alpine-39.tar.gz (alpine 3.9.4)" name="[CRITICAL] CVE-2019-14697 musl 1.1.20-r4→1.1.20-r5">',
    );
    expect(xml).toContain(
      '<testcase classname="testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)" name="[MEDIUM] CVE-2019-1549 libcrypto1.1 1.1.1c-r0→1.1.1d-r0"/>',
    );
    const gating = evaluatePolicy(scans, { ...REPORT_ALL, failOn: ['CRITICAL', 'MEDIUM'] });
    const all = toJunit(scans, gating);
    expect(count(all, /<failure /g)).toBe(6);
    expect(all).toContain('<testsuites name="trivy" tests="6" failures="6" errors="0">');
    expect(all).toContain('<failure message="openssl: information disclosure in fork()" type="MEDIUM">OpenSSL 1.1.1');
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    const nasty = `<&>"'\u0001\u001b[31m\uffff`;
    const finding: Finding = {
      kind: 'vulnerability',
      id: `CVE-0000-0001${nasty}`,
      severity: 'HIGH',
      title: `title ${nasty}`,
      description: `line one\nline two ${nasty} ]]>`,
      target: `/srv/${nasty}`,
      pkgName: 'pkg',
      installedVersion: '1',
      fixedVersion: '2',
      references: [],
    };
    const scan: PlatformScan = {
      platform: 'linux/arm64',
      digest: 'sha256:d',
      artifactName: `app${nasty}`,
      findings: [finding],
    };
    const out = toJunit([scan], evaluatePolicy([scan], { ...REPORT_ALL, failOn: ['HIGH'] }));
    expectWellFormed(out);
    expect(out).toContain('&lt;&amp;&gt;&quot;&apos;');
    expect(out).not.toContain('\u0001');
    expect(out).not.toContain('\u001b');
    expect(out).toContain('<failure message="title &lt;&amp;&gt;&quot;&apos;[31m" type="HIGH">line one\nline two');
    expect(out).toContain(']]&gt;</failure>');
  });

  it('keeps line breaks in attributes as references', () => {
    const scan: PlatformScan = { ...scanOf('npm.json'), findings: [{ ...findingOf('npm.json'), title: 'a\nb\tc' }] };
    const out = toJunit([scan], evaluatePolicy([scan], { ...REPORT_ALL, failOn: ['MEDIUM'] }));
    expectWellFormed(out);
    expect(out).toContain('message="a&#10;b&#9;c"');
  });

  it('gives a platform without findings one passing case', () => {
    const clean: PlatformScan = {
      platform: 'linux/s390x',
      digest: 'sha256:e',
      artifactName: 'app@sha256:e',
      findings: [],
    };
    const out = toJunit([clean], evaluatePolicy([clean], REPORT_ALL));
    expectWellFormed(out);
    expect(out).toContain('<testsuite name="trivy linux/s390x" tests="1" failures="0" errors="0" skipped="0">');
    expect(out).toContain('<testcase classname="app@sha256:e" name="no findings"/>');
  });

  it.each([
    ['debian-buster.json', 0, '[LOW] CVE-2019-18276 bash 5.0-4 (no fix)'],
    ['secrets.json', 0, '[CRITICAL] aws-access-key-id AWS Access Key ID, line 3'],
    ['dockerfile.json', 0, "[HIGH] DS-0002 Image user should not be 'root'"],
    ['licenses.json', 1, '[HIGH] GPL-3.0-only restricted license, demo-high'],
  ])('names a test case from %s', (fixture, index, name) => {
    expect(testCaseName(findingOf(fixture, index))).toBe(name);
  });
});
