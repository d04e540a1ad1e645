/**
 * Reading Trivy's own log (stderr, without `--quiet`): what it is doing while a scan runs, which repository its
 * database came from, and which of its lines are problems rather than chatter. Pure.
 *
 * A line is `TIME<TAB>LEVEL<TAB>MESSAGE`, then `<TAB>key=value key="quoted value" ...` or, on a FATAL line, the error's
 * text: `2026-12-02T18:36:20Z	INFO	[vulndb] Downloading artifact...	repo="registry.example/trivy-db:2"`. Trivy's
 * progress bars are turned off (`--no-progress`): they redraw one line with carriage returns, unreadable in a CI log.
 */

export interface TrivyLogLine {
  /** INFO, WARN, ERROR, FATAL, DEBUG */
  level: string;
  /** `[alpine] Detecting vulnerabilities...`: the logger's prefix is part of the message */
  message: string;
  /** the `key=value` pairs after the message, unquoted */
  fields: Record<string, string>;
  /** what follows the message when it is not `key=value` pairs (a FATAL line's error) */
  detail: string;
}

const FIELD = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S*)/g;

export function parseTrivyLogLine(line: string): TrivyLogLine | undefined {
  const [time, level, message, ...rest] = line.split('\t');
  if (time === undefined || !/^\d{4}-\d\d-\d\dT\S+$/.test(time) || level === undefined || message === undefined) {
    return undefined;
  }
  if (!/^[A-Z]+$/.test(level)) return undefined;
  const tail = rest.join('\t');
  const fields: Record<string, string> = {};
  const pairs = [...tail.matchAll(FIELD)];
  // Only a tail made of pairs alone is fields: `run error: x=y` is a FATAL line's text that happens to hold a `=`.
  if (pairs.length > 0 && tail.replace(FIELD, '').trim() === '') {
    for (const [, key = '', value = ''] of pairs) fields[key] = unquote(value);
    return { level, message, fields, detail: '' };
  }
  return { level, message, fields, detail: tail };
}

/** Go's %q is JSON for the strings Trivy logs (paths, references, repositories); anything else is left as written. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}

/**
 * What Trivy is doing, from the last line it logged, in words for a person waiting on it. Trivy logs at INFO only at a
 * few points of a scan: the scanners enabled (then it pulls and analyses the layers, the long part, in silence), the
 * OS detected, the packages being matched, the language-specific files counted.
 */
export function trivyActivity(last: TrivyLogLine | undefined): string {
  if (last === undefined) return 'Trivy is starting';
  const { message, fields } = last;
  if (/scanning is enabled|scanning is slow|^\[secret\] Please see/.test(message)) {
    return "pulling and analysing the image's layers";
  }
  if (message === 'Detected OS') {
    return `analysed the layers (${[fields.family, fields.version].filter(Boolean).join(' ')}); reading its packages`;
  }
  const detecting = /^\[([^\]]+)\] Detecting vulnerabilities/.exec(message);
  if (detecting !== null) {
    const count = fields.pkg_num === undefined ? '' : `${fields.pkg_num} `;
    return `matching ${count}${detecting[1] ?? ''} packages against the vulnerability database`;
  }
  if (message === 'Number of language-specific files') {
    return `matching ${fields.num ?? 'the'} language-specific files against the vulnerability database`;
  }
  return `Trivy: ${described(last)}`;
}

/** A log line as one readable phrase: its message, then its fields or detail. */
export function described(line: TrivyLogLine): string {
  const pairs = Object.entries(line.fields).map(([key, value]) => `${key}=${value}`);
  const extra = pairs.length > 0 ? pairs.join(', ') : line.detail;
  return extra === '' ? line.message : `${line.message} (${extra})`;
}

/**
 * The lines of Trivy's stderr worth showing when it failed: its own INFO and DEBUG chatter left out, anything else
 * (its WARN, ERROR and FATAL lines, and whatever is not a log line) kept. All of it when nothing would be left.
 */
export function problemLines(stderr: string): string {
  const kept = stderr.split('\n').filter((line) => {
    const parsed = parseTrivyLogLine(line);
    return parsed === undefined ? line.trim() !== '' : !['INFO', 'DEBUG'].includes(parsed.level);
  });
  return kept.length > 0 ? kept.join('\n') : stderr;
}

/** The repository Trivy downloaded its vulnerability database from: its `[vulndb] Artifact successfully downloaded`. */
export function downloadedFrom(lines: readonly TrivyLogLine[]): string | undefined {
  const done = lines.findLast((line) => line.message.startsWith('[vulndb] Artifact successfully downloaded'));
  return done?.fields.repo;
}
