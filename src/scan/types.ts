/**
 * The scan gate's data: what Trivy found on each platform of the pushed image, the policy, and the verdict. Trivy's
 * JSON is parsed into these types once; the policy and every report (SARIF, GitLab, JUnit, summary) read only them.
 */

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type FindingKind = 'vulnerability' | 'secret' | 'misconfiguration' | 'license';

export interface Finding {
  kind: FindingKind;
  /** CVE-2024-1234, aws-access-key-id, DS002 */
  id: string;
  severity: Severity;
  title: string;
  description: string;
  /** Trivy's result target: `alpine:3.10 (alpine 3.10.2)`, `/app/deploy.env`, `usr/lib/node_modules/x/package.json` */
  target: string;
  /** vulnerabilities and licenses */
  pkgName?: string;
  installedVersion?: string;
  /** '' when there is no fix */
  fixedVersion?: string;
  /** Trivy's status: fixed, affected, will_not_fix, ... */
  status?: string;
  primaryUrl?: string;
  references: string[];
  /** secrets and misconfigurations */
  startLine?: number;
  endLine?: number;
}

/** One Trivy run: one platform of the image. */
export interface PlatformScan {
  platform: string;
  /** the image manifest digest scanned */
  digest: string;
  /** what Trivy called the artifact: `registry/repo@sha256:...` */
  artifactName: string;
  findings: Finding[];
}

export interface Policy {
  /** severities shown in reports (`scan-severity`) */
  reportSeverities: Severity[];
  /** severities that fail the gate (`fail-on`) */
  failOn: Severity[];
  /** findings without a fixed version never fail the gate and are not reported (`ignore-unfixed`) */
  ignoreUnfixed: boolean;
}

export interface PlatformFinding {
  platform: string;
  finding: Finding;
}

export interface Verdict {
  passed: boolean;
  /** every finding that fails the gate, with its platform */
  failing: PlatformFinding[];
  /** per platform, per severity: the reported findings */
  counts: Record<string, Record<Severity, number>>;
  /** per platform: the reported findings (severity in `reportSeverities`, unfixed ones dropped with `ignoreUnfixed`),
   * in Trivy's order; the reports show these and mark the ones in `failing` */
  reported: Record<string, Finding[]>;
}
