/**
 * The scan gate in a few lines: counts per platform and severity, the findings that fail the gate (each with its
 * platform), and the verdict. Markdown for job summaries (GitHub's step summary, a GitLab MR note); plain text for logs.
 */
import { oneLine, shownTarget, sortedFailing, subject } from './present.js';
import { SEVERITIES, type Finding, type PlatformScan, type Severity, type Verdict } from './types.js';

const LABELS: Record<Severity, string> = {
  CRITICAL: 'Critical',
  HIGH: 'High',
  MEDIUM: 'Medium',
  LOW: 'Low',
  UNKNOWN: 'Unknown',
};

export function summaryMarkdown(scans: readonly PlatformScan[], verdict: Verdict, top = 10): string {
  const out = ['### Image scan (Trivy)', ''];
  out.push(`| Platform | Digest | ${SEVERITIES.map((severity) => LABELS[severity]).join(' | ')} |`);
  out.push(`| --- | --- |${' ---: |'.repeat(SEVERITIES.length)}`);
  for (const scan of scans) {
    const counts = SEVERITIES.map((severity) => String(verdict.counts[scan.platform]?.[severity] ?? 0));
    out.push(`| ${md(scan.platform)} | ${code(shortDigest(scan.digest))} | ${counts.join(' | ')} |`);
  }
  const failing = sortedFailing(verdict);
  if (failing.length > 0) {
    const shown = failing.slice(0, Math.max(0, top));
    const more = failing.length > shown.length ? ` (the ${shown.length} most severe of ${failing.length})` : '';
    out.push('', `#### Findings that fail the gate${more}`, '');
    if (shown.length > 0) {
      out.push('| Platform | Severity | ID | Package / location | Target | Title |', `|${' --- |'.repeat(6)}`);
      for (const { platform, finding } of shown) {
        const cells = [md(platform), LABELS[finding.severity], idCell(finding), md(subject(finding))];
        cells.push(md(targetOf(scans, platform, finding)), md(finding.title));
        out.push(`| ${cells.join(' | ')} |`);
      }
    }
  }
  out.push(
    '',
    verdict.passed ? `**Passed**: ${verdictText(scans, verdict)}` : `**Failed**: ${verdictText(scans, verdict)}`,
  );
  return `${out.join('\n')}\n`;
}

/** For logs: fixed-width tables, one finding per line, each line starting with its platform. */
export function summaryText(scans: readonly PlatformScan[], verdict: Verdict): string {
  const out = ['Image scan (Trivy)'];
  const countRows = scans.map((scan) => [
    scan.platform,
    ...SEVERITIES.map((severity) => String(verdict.counts[scan.platform]?.[severity] ?? 0)),
  ]);
  out.push(...table(['PLATFORM', ...SEVERITIES], countRows, (column) => column > 0));
  const failing = sortedFailing(verdict);
  if (failing.length > 0) {
    out.push('', 'Findings that fail the gate:');
    const rows = failing.map(({ platform, finding }) => [
      platform,
      finding.severity,
      finding.id,
      subject(finding),
      targetOf(scans, platform, finding),
      clip(finding.title, 80),
    ]);
    out.push(...table(['PLATFORM', 'SEVERITY', 'ID', 'PACKAGE / LOCATION', 'TARGET', 'TITLE'], rows, () => false));
  }
  out.push('', `${verdict.passed ? 'PASSED' : 'FAILED'}: ${verdictText(scans, verdict)}`);
  return `${out.join('\n')}\n`;
}

function targetOf(scans: readonly PlatformScan[], platform: string, finding: Finding): string {
  return shownTarget(finding.target, scans.find((scan) => scan.platform === platform)?.artifactName ?? '');
}

function verdictText(scans: readonly PlatformScan[], verdict: Verdict): string {
  const platforms = scans.map((scan) => scan.platform);
  if (verdict.passed) {
    const reported = Object.values(verdict.reported).reduce((sum, findings) => sum + findings.length, 0);
    return `no finding fails the gate (${plural(reported, 'finding')} reported on ${list(platforms)}).`;
  }
  const failingPlatforms = [...new Set(verdict.failing.map((entry) => entry.platform))];
  return `${plural(verdict.failing.length, 'finding')} ${verdict.failing.length === 1 ? 'fails' : 'fail'} the gate on ${list(failingPlatforms)}.`;
}

function table(header: string[], rows: string[][], rightAligned: (column: number) => boolean): string[] {
  const all = [header, ...rows].map((row) => row.map(oneLine));
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) =>
    row
      .map((value, column) => {
        const width = widths[column] ?? 0;
        return rightAligned(column) ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
}

function idCell(finding: Finding): string {
  const url = finding.primaryUrl;
  if (url === undefined || !/^https?:\/\//.test(url) || !URL.canParse(url)) return md(finding.id);
  return `[${md(finding.id)}](${new URL(url).href.replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)})`;
}

/**
 * A table cell that shows Trivy's text as text: no markup, links or HTML from an advisory's title, no line breaks,
 * no `|` splitting the row.
 */
function md(value: string): string {
  return oneLine(value)
    .replace(/[\\`*_[\]|#]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function code(value: string): string {
  return value === '' ? '' : `\`${value.replace(/`/g, '')}\``;
}

function shortDigest(digest: string): string {
  const match = /^(sha256:)([0-9a-f]{12})[0-9a-f]+$/.exec(digest);
  return match === null ? oneLine(digest) : `${match[1] ?? ''}${match[2] ?? ''}…`;
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? 'no platform' : items.join(', ');
}
