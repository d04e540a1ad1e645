/**
 * The scan gate's decision: which findings are reported (`scan-severity`, `ignore-unfixed`), and which of those fail
 * the gate (`fail-on`). Every report reads the verdict, so the logs, the summary and the report files always agree
 * with the exit code.
 */
import { InputError } from '../errors.js';
import {
  SEVERITIES,
  type Finding,
  type PlatformFinding,
  type PlatformScan,
  type Policy,
  type Severity,
  type Verdict,
} from './types.js';

/** A vulnerability with no fixed version. Secrets and misconfigurations are never "unfixed": they are fixed by you. */
export function isUnfixed(finding: Finding): boolean {
  return finding.kind === 'vulnerability' && (finding.fixedVersion ?? '') === '';
}

export function isReported(finding: Finding, policy: Policy): boolean {
  return policy.reportSeverities.includes(finding.severity) && !(policy.ignoreUnfixed && isUnfixed(finding));
}

export function emptyCounts(): Record<Severity, number> {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
}

/**
 * A finding fails the gate when it is reported and its severity is in `failOn`: a severity left out of
 * `reportSeverities` never fails the gate, so what fails the build is always in the reports.
 */
export function evaluatePolicy(scans: readonly PlatformScan[], policy: Policy): Verdict {
  const counts: Record<string, Record<Severity, number>> = {};
  const reported: Record<string, Finding[]> = {};
  const failing: PlatformFinding[] = [];
  for (const scan of scans) {
    const platformCounts = (counts[scan.platform] ??= emptyCounts());
    const platformReported = (reported[scan.platform] ??= []);
    for (const finding of scan.findings) {
      if (!isReported(finding, policy)) continue;
      platformCounts[finding.severity] += 1;
      platformReported.push(finding);
      if (policy.failOn.includes(finding.severity)) failing.push({ platform: scan.platform, finding });
    }
  }
  return { passed: failing.length === 0, failing, counts, reported };
}

/** The scans with only their reported findings: for a report that takes scans alone (GitLab's). */
export function reportedScans(scans: readonly PlatformScan[], verdict: Verdict): PlatformScan[] {
  return scans.map((scan) => ({ ...scan, findings: verdict.reported[scan.platform] ?? [] }));
}

/**
 * `fail-on` / `scan-severity`: a comma-separated list of severities, any case, in canonical order without repeats.
 * An empty list is allowed (`fail-on: ""` reports without gating).
 */
export function parseSeverities(input: string, text: string): Severity[] {
  const wanted = new Set<Severity>();
  for (const item of text.split(',')) {
    const name = item.trim();
    if (name === '') continue;
    const severity = SEVERITIES.find((known) => known === name.toUpperCase());
    if (severity === undefined) {
      throw new InputError(input, name, `expected a comma-separated list of ${SEVERITIES.join(', ')}`);
    }
    wanted.add(severity);
  }
  return SEVERITIES.filter((severity) => wanted.has(severity));
}
