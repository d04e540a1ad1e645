import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/scan/policy.js';
import { shownTarget } from '../../../src/scan/present.js';
import { summaryMarkdown, summaryText } from '../../../src/scan/summary.js';
import type { PlatformScan } from '../../../src/scan/types.js';
import { findingOf, REPORT_ALL, scanOf, twoPlatforms } from './helpers.js';

describe('summaryText', () => {
  it('names the platform of every failing finding', () => {
    const { scans, verdict } = twoPlatforms();
    const lines = summaryText(scans, verdict).trimEnd().split('\n');
    expect(lines).toEqual([
      'Image scan (Trivy)',
      'PLATFORM     CRITICAL  HIGH  MEDIUM  LOW  UNKNOWN',
      'linux/amd64         0     0       4    0        0',
      'linux/arm64         2     0       0    0        0',
      '',
      'Findings that fail the gate:',
      expect.stringMatching(/^PLATFORM +SEVERITY +ID +PACKAGE \/ LOCATION +TARGET +TITLE$/),
      expect.stringMatching(
        /^linux\/arm64 +CRITICAL +CVE-2019-14697 +musl 1\.1\.20-r4→1\.1\.20-r5 +image \(alpine 3\.9\.4\) /,
      ),
      expect.stringMatching(
        /^linux\/arm64 +CRITICAL +CVE-2019-14697 +musl-utils 1\.1\.20-r4→1\.1\.20-r5 +image \(alpine 3\.9\.4\) /,
      ),
      '',
      'FAILED: 2 findings fail the gate on linux/arm64.',
    ]);
  });

  it('says when the gate passes', () => {
    const scans = [scanOf('alpine-310.json')];
    const text = summaryText(scans, evaluatePolicy(scans, REPORT_ALL));
    expect(text).not.toContain('Findings that fail the gate');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'PASSED: no finding fails the gate (4 findings reported on linux/amd64).',
    );
  });

  it('keeps each finding on one line, whatever its title holds', () => {
    const finding = findingOf('npm.json');
    const scan: PlatformScan = { ...scanOf('npm.json'), findings: [{ ...finding, title: 'x\n::error::y\u001b[2J' }] };
    const text = summaryText([scan], evaluatePolicy([scan], { ...REPORT_ALL, failOn: ['MEDIUM'] }));
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
  });
});

describe('summaryMarkdown', () => {
  const { scans, verdict } = twoPlatforms();

  it('has counts per platform, the gating findings and the verdict', () => {
    const markdown = summaryMarkdown(scans, verdict);
    expect(markdown).toContain('| Platform | Digest | Critical | High | Medium | Low | Unknown |');
    expect(markdown).toContain('| linux/amd64 | `sha256:111111111111…` | 0 | 0 | 4 | 0 | 0 |');
    expect(markdown).toContain('| linux/arm64 | `sha256:222222222222…` | 2 | 0 | 0 | 0 | 0 |');
    expect(markdown).toContain('#### Findings that fail the gate\n');
    expect(markdown).toContain(
      '| linux/arm64 | Critical | [CVE-2019-14697](https://avd.aquasec.com/nvd/cve-2019-14697) | musl 1.1.20-r4→1.1.20-r5 | ' +
        'image (alpine 3.9.4) | CVE-2019-14697 |',
    );
    expect(markdown.trimEnd().split('\n').at(-1)).toBe('**Failed**: 2 findings fail the gate on linux/arm64.');
  });

  it('shows the most severe `top` findings first', () => {
    const both = evaluatePolicy(scans, { ...REPORT_ALL, failOn: ['CRITICAL', 'MEDIUM'] });
    const markdown = summaryMarkdown(scans, both, 3);
    expect(markdown).toContain('#### Findings that fail the gate (the 3 most severe of 6)');
    const rows = markdown.split('\n').filter((line) => /^\| linux\/\w+ \| (Critical|Medium) \|/.test(line));
    expect(rows.map((row) => row.split(' | ').slice(0, 2).join(' | '))).toEqual([
      '| linux/arm64 | Critical',
      '| linux/arm64 | Critical',
      '| linux/amd64 | Medium',
    ]);
    expect(markdown).toContain('**Failed**: 6 findings fail the gate on linux/amd64, linux/arm64.');
  });

  it('says when the gate passes', () => {
    const passing = evaluatePolicy(scans, { ...REPORT_ALL, failOn: [] });
    const markdown = summaryMarkdown(scans, passing);
    expect(markdown).not.toContain('fail the gate');
    expect(markdown).toContain(
      '**Passed**: no finding fails the gate (6 findings reported on linux/amd64, linux/arm64).',
    );
  });

  it("shows an advisory's text as text", () => {
    const finding = findingOf('npm.json');
    const scan: PlatformScan = {
      ...scanOf('npm.json'),
      findings: [{ ...finding, title: 'a | b <img src=x> [link](http://evil.example)\nnext' }],
    };
    const markdown = summaryMarkdown([scan], evaluatePolicy([scan], { ...REPORT_ALL, failOn: ['MEDIUM'] }));
    expect(markdown).toContain('a \\| b &lt;img src=x&gt; \\[link\\](http://evil.example) next |');
  });
});

describe('a target as the tables show it', () => {
  it.each([
    ['r/app@sha256:bb (alpine 3.22.1)', 'r/app@sha256:bb', 'image (alpine 3.22.1)'],
    ['other/image (debian 12.1)', 'r/app@sha256:bb', 'other/image (debian 12.1)'],
    ['app/package-lock.json', 'r/app@sha256:bb', 'app/package-lock.json'],
    ['/etc/deploy.env', 'r/app@sha256:bb', '/etc/deploy.env'],
  ])('%s of %s is %s', (target, artifact, shown) => {
    expect(shownTarget(target, artifact)).toBe(shown);
  });
});
