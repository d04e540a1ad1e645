import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { evaluatePolicy, parseSeverities, reportedScans } from '../../../src/scan/policy.js';
import type { Policy, Severity } from '../../../src/scan/types.js';
import { REPORT_ALL, scanOf, twoPlatforms } from './helpers.js';

const policy = (changes: Partial<Policy>): Policy => ({ ...REPORT_ALL, ...changes });
const zero: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };

describe('evaluatePolicy', () => {
  it.each<[string, string, Partial<Policy>, Partial<Record<Severity, number>>, string[]]>([
    ['alpine: MEDIUM only, fail-on CRITICAL passes', 'alpine-310.json', {}, { MEDIUM: 4 }, []],
    [
      'alpine: fail-on MEDIUM fails on all four',
      'alpine-310.json',
      { failOn: ['MEDIUM'] },
      { MEDIUM: 4 },
      ['CVE-2019-1549', 'CVE-2019-1551', 'CVE-2019-1549', 'CVE-2019-1551'],
    ],
    [
      'alpine: a severity left out of scan-severity is neither counted nor failing',
      'alpine-310.json',
      { reportSeverities: ['CRITICAL', 'HIGH'], failOn: ['MEDIUM'] },
      {},
      [],
    ],
    [
      'alpine 3.9: two CRITICAL fail',
      'alpine-39-high-critical.json',
      {},
      { CRITICAL: 2 },
      ['CVE-2019-14697', 'CVE-2019-14697'],
    ],
    [
      'debian: fail-on CRITICAL,HIGH',
      'debian-buster.json',
      { failOn: ['CRITICAL', 'HIGH'] },
      { CRITICAL: 1, LOW: 1 },
      ['CVE-2019-18224'],
    ],
    [
      'debian: fail-on LOW catches the unfixed bash',
      'debian-buster.json',
      { failOn: ['LOW'] },
      { CRITICAL: 1, LOW: 1 },
      ['CVE-2019-18276'],
    ],
    [
      'debian: ignore-unfixed drops the unfixed bash from counts and failures',
      'debian-buster.json',
      { failOn: ['LOW', 'CRITICAL'], ignoreUnfixed: true },
      { CRITICAL: 1 },
      ['CVE-2019-18224'],
    ],
    ['debian: scan-severity LOW only', 'debian-buster.json', { reportSeverities: ['LOW'] }, { LOW: 1 }, []],
    ['no fail-on: report only', 'alpine-39-high-critical.json', { failOn: [] }, { CRITICAL: 2 }, []],
    [
      'secrets are never unfixed',
      'secrets.json',
      { failOn: ['CRITICAL'], ignoreUnfixed: true },
      { CRITICAL: 1, HIGH: 1 },
      ['aws-access-key-id'],
    ],
    [
      'licenses gate when fail-on covers their severity, and are never unfixed',
      'licenses.json',
      { failOn: ['CRITICAL', 'HIGH'], ignoreUnfixed: true },
      { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 2 },
      ['AGPL-3.0-only', 'GPL-3.0-only'],
    ],
    [
      'misconfigurations are never unfixed',
      'dockerfile.json',
      { failOn: ['HIGH'], ignoreUnfixed: true },
      { HIGH: 1 },
      ['DS-0002'],
    ],
  ])('%s', (_, fixture, changes, counts, failingIds) => {
    const verdict = evaluatePolicy([scanOf(fixture)], policy(changes));
    expect(verdict.counts).toEqual({ 'linux/amd64': { ...zero, ...counts } });
    expect(verdict.failing.map((entry) => entry.finding.id)).toEqual(failingIds);
    expect(verdict.passed).toBe(failingIds.length === 0);
    const reported = Object.values(counts).reduce((sum, count) => sum + count, 0);
    expect(verdict.reported['linux/amd64']).toHaveLength(reported);
  });

  it("agrees with Trivy's own --ignore-unfixed output on debian", () => {
    const key = (f: { id: string; pkgName?: string; installedVersion?: string; fixedVersion?: string }) =>
      `${f.id} ${f.pkgName ?? ''} ${f.installedVersion ?? ''}→${f.fixedVersion ?? ''}`;
    const ours = evaluatePolicy([scanOf('debian-buster.json')], policy({ ignoreUnfixed: true }));
    const trivys = scanOf('debian-buster-ignore-unfixed.json').findings;
    expect(trivys.length).toBeGreaterThan(0);
    expect(ours.reported['linux/amd64']?.map(key)).toEqual(trivys.map(key));
    // and the full scan really had more: the flag made a difference
    expect(scanOf('debian-buster.json').findings.length).toBeGreaterThan(trivys.length);
  });

  it('names the failing platform when only linux/arm64 has a CRITICAL finding', () => {
    const { verdict } = twoPlatforms();
    expect(verdict.passed).toBe(false);
    expect(verdict.failing).toHaveLength(2);
    for (const entry of verdict.failing) expect(entry.platform).toBe('linux/arm64');
    expect(verdict.counts).toEqual({
      'linux/amd64': { ...zero, MEDIUM: 4 },
      'linux/arm64': { ...zero, CRITICAL: 2 },
    });
  });

  it('passes with a clean platform counted at zero', () => {
    const clean = { ...scanOf('alpine-310.json', 'linux/riscv64'), findings: [] };
    const verdict = evaluatePolicy([clean], REPORT_ALL);
    expect(verdict).toEqual({
      passed: true,
      failing: [],
      counts: { 'linux/riscv64': zero },
      reported: { 'linux/riscv64': [] },
    });
  });

  it('gives each scan only its reported findings for reports that take scans', () => {
    const scans = [scanOf('debian-buster.json')];
    const verdict = evaluatePolicy(scans, policy({ ignoreUnfixed: true }));
    expect(reportedScans(scans, verdict)[0]?.findings.map((finding) => finding.id)).toEqual(['CVE-2019-18224']);
    expect(scans[0]?.findings).toHaveLength(2);
  });
});

describe('parseSeverities', () => {
  it.each<[string, Severity[]]>([
    ['CRITICAL,HIGH', ['CRITICAL', 'HIGH']],
    ['critical, High', ['CRITICAL', 'HIGH']],
    ['LOW,CRITICAL,LOW', ['CRITICAL', 'LOW']],
    ['UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL', ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']],
    ['HIGH,', ['HIGH']],
    ['', []],
    ['  ', []],
  ])('%j', (text, expected) => {
    expect(parseSeverities('fail-on', text)).toEqual(expected);
  });

  it('names the input and the bad value', () => {
    expect(() => parseSeverities('fail-on', 'SEVERE')).toThrow(
      new InputError('fail-on', 'SEVERE', 'expected a comma-separated list of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN'),
    );
    expect(() => parseSeverities('fail-on', 'SEVERE')).toThrow(
      'Invalid fail-on "SEVERE": expected a comma-separated list of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN',
    );
    expect(() => parseSeverities('scan-severity', 'HIGH, moderate')).toThrow(/^Invalid scan-severity "moderate": /);
    expect(() => parseSeverities('fail-on', 'HIGH CRITICAL')).toThrow(/^Invalid fail-on "HIGH CRITICAL": /);
  });
});
