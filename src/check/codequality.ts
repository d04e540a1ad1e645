/**
 * The Dockerfile checks as a GitLab code quality report (`artifacts: reports: codequality`): GitLab shows them in the
 * merge request's Code Quality widget and on the changed lines of its diff. The format is GitLab's subset of the Code
 * Climate issue (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format): `description`,
 * `check_name`, `fingerprint` (unique per issue: GitLab shows one issue per fingerprint), `severity` (info, minor,
 * major, critical, blocker) and `location.path` + `location.lines.begin`.
 */
import { createHash } from 'node:crypto';
import type { CheckReport } from './report.js';
import { violationsAreErrors } from './verdict.js';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: { path: string; lines: { begin: number } };
}

/**
 * `path`: the Dockerfile, relative to the project (what GitLab matches against the diff). A finding that fails the
 * build (under `check=error=true`) is `major`, a warning `minor`, and the error that stopped the checks (a parse
 * error, a base image that could not be resolved) `critical`.
 */
export function toCodeQuality(report: CheckReport, path: string): CodeQualityIssue[] {
  const errorLevel = violationsAreErrors(report);
  const issues = report.findings.map((finding): CodeQualityIssue => ({
    description: `${finding.rule}: ${finding.detail}`,
    check_name: `dockerfile/${finding.rule}`,
    fingerprint: fingerprint(path, finding.rule, finding.line),
    severity: errorLevel ? 'major' : 'minor',
    location: { path, lines: { begin: finding.line ?? 1 } },
  }));
  if (report.error !== undefined && !errorLevel) {
    issues.push({
      description: report.error.message,
      check_name: 'dockerfile/parse',
      fingerprint: fingerprint(path, 'parse', report.error.line),
      severity: 'critical',
      location: { path, lines: { begin: report.error.line ?? 1 } },
    });
  }
  return issues;
}

function fingerprint(path: string, rule: string, line: number | undefined): string {
  return createHash('sha256')
    .update(`${path}\0${rule}\0${line ?? 0}`)
    .digest('hex')
    .slice(0, 32);
}
