import { readFileSync } from 'node:fs';
import { evaluatePolicy } from '../../../src/scan/policy.js';
import { parseTrivyReport } from '../../../src/scan/trivy.js';
import type { Finding, PlatformScan, Policy, Verdict } from '../../../src/scan/types.js';

const FIXTURES = new URL('../../fixtures/trivy/', import.meta.url);

/** A file of test/fixtures/trivy/ (real Trivy outputs). */
export function trivyFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** A Trivy JSON fixture parsed as the scan of one platform. */
export function scanOf(name: string, platform = 'linux/amd64', digest = `sha256:${'a'.repeat(64)}`): PlatformScan {
  return parseTrivyReport(trivyFixture(name), platform, digest);
}

/** One finding of a fixture, by position. */
export function findingOf(name: string, index = 0): Finding {
  const finding = scanOf(name).findings[index];
  if (finding === undefined) throw new Error(`${name} has no finding ${index}`);
  return finding;
}

export const REPORT_ALL: Policy = {
  reportSeverities: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'],
  failOn: ['CRITICAL'],
  ignoreUnfixed: false,
};

/** amd64: alpine-310 (4 MEDIUM); arm64: alpine-39 (2 CRITICAL): only arm64 fails `fail-on: CRITICAL`. */
export function twoPlatforms(policy: Policy = REPORT_ALL): { scans: PlatformScan[]; verdict: Verdict } {
  const scans = [
    scanOf('alpine-310.json', 'linux/amd64', `sha256:${'1'.repeat(64)}`),
    scanOf('alpine-39-high-critical.json', 'linux/arm64', `sha256:${'2'.repeat(64)}`),
  ];
  return { scans, verdict: evaluatePolicy(scans, policy) };
}
