/** What every report says the same way: severity order, a finding's one-line subject, the gating set. */
import { SEVERITIES, type Finding, type PlatformFinding, type Severity, type Verdict } from './types.js';

/** CRITICAL first. */
export function bySeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** Failing findings, most severe first, platforms and Trivy's order kept within a severity. */
export function sortedFailing(verdict: Verdict): PlatformFinding[] {
  return [...verdict.failing].sort((a, b) => bySeverity(a.finding.severity, b.finding.severity));
}

/** The findings that fail the gate, by identity: the verdict's `failing` entries point into its `reported` lists. */
export function gatingSet(verdict: Verdict): ReadonlySet<Finding> {
  return new Set(verdict.failing.map((entry) => entry.finding));
}

export function reportedOf(verdict: Verdict, platform: string): Finding[] {
  return verdict.reported[platform] ?? [];
}

/** `openssl 1.1.1c-r0→1.1.1d-r0`, `bash 5.0-4 (no fix)`, a license's package, `line 3`, `lines 3-5`, or '' */
export function subject(finding: Finding): string {
  if (finding.kind === 'license') return finding.pkgName ?? '';
  if (finding.kind === 'vulnerability') {
    const installed = `${finding.pkgName ?? ''} ${finding.installedVersion ?? ''}`.trim();
    const fixed = finding.fixedVersion ?? '';
    return fixed === '' ? `${installed} (no fix)` : `${installed}→${fixed}`;
  }
  return lines(finding);
}

export function lines(finding: Finding): string {
  const { startLine, endLine } = finding;
  if (startLine === undefined) return '';
  return endLine === undefined || endLine === startLine ? `line ${startLine}` : `lines ${startLine}-${endLine}`;
}

/**
 * Trivy names an OS-package result `<image> (<os> <version>)`: the image part, and the OS when there is one.
 * Other targets are file paths.
 */
export function splitTarget(target: string): { path: string; os: string | undefined } {
  const match = /^(.+?) \(([^()]+)\)$/.exec(target);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { path: match[1], os: match[2] }
    : { path: target, os: undefined };
}

/**
 * A target as a table shows it: an OS-package result names the scanned image itself (`r/app@sha256:… (alpine 3.22.1)`),
 * which the row's platform already says, so it is `image (alpine 3.22.1)`; a file keeps its path.
 */
export function shownTarget(target: string, artifactName: string): string {
  const { path, os } = splitTarget(target);
  return os !== undefined && path === artifactName ? `image (${os})` : target;
}

/** One line, no control characters: for log lines and table cells, where a newline or an escape would break out. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
