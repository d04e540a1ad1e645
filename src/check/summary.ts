/**
 * The check gate in a few lines: a table of the findings (rule, line, what is wrong, the rule's documentation) and the
 * verdict. Markdown for job summaries; plain text, one finding per line, for logs.
 */
import { oneLine } from '../scan/present.js';
import type { CheckReport } from './report.js';
import { violationsAreErrors, type CheckVerdict } from './verdict.js';

const TITLE = 'Dockerfile checks (BuildKit)';

export function checkSummaryMarkdown(report: CheckReport, verdict: CheckVerdict, dockerfile: string): string {
  const out = [`### ${TITLE}`, '', `\`${dockerfile.replace(/`/g, '')}\``, ''];
  if (report.findings.length > 0) {
    out.push('| Rule | Line | Description | Link |', '| --- | ---: | --- | --- |');
    for (const finding of report.findings) {
      const cells = [md(finding.rule), finding.line === undefined ? '' : String(finding.line), md(finding.detail)];
      cells.push(link(finding.url));
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  if (report.error !== undefined && !violationsAreErrors(report)) {
    const line = report.error.line === undefined ? '' : ` (line ${report.error.line})`;
    out.push(`BuildKit's error${line}: ${md(report.error.message)}`, '');
  }
  out.push(`**${verdict.passed ? 'Passed' : 'Failed'}**: ${md(verdict.reason)}`);
  return `${out.join('\n')}\n`;
}

export function checkSummaryText(report: CheckReport, verdict: CheckVerdict, dockerfile: string): string {
  const out = [`${TITLE}: ${dockerfile}`];
  for (const finding of report.findings) {
    const where = finding.line === undefined ? dockerfile : `${dockerfile}:${finding.line}`;
    out.push(
      `  ${where}  ${finding.rule}  ${oneLine(finding.detail)}${finding.url === undefined ? '' : `  ${finding.url}`}`,
    );
  }
  out.push(`${verdict.passed ? 'PASSED' : 'FAILED'}: ${oneLine(verdict.reason)}`);
  return `${out.join('\n')}\n`;
}

/** A skipped gate: why, for the summary. */
export function checkSkippedMarkdown(why: string): string {
  return `### ${TITLE}\n\n**Skipped**: ${md(why)}\n`;
}

/** BuildKit's text as text in a table cell: no markup, no line breaks, no `|` splitting the row. */
function md(value: string): string {
  return oneLine(value)
    .replace(/[\\`*_[\]|#]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function link(url: string | undefined): string {
  if (url === undefined || !/^https?:\/\//.test(url) || !URL.canParse(url)) return '';
  return `[docs](${new URL(url).href.replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)})`;
}
