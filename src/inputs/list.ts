/**
 * List inputs, read as docker's actions read them: docker/actions-toolkit's `Util.getInputList` parses the input text
 * with csv-parse, one CSV record per line, so that a line may be double-quoted (`"github_token=abc"`), hold commas
 * inside its quotes (`"A=1,2"`) and, inside quotes, span several lines (a PGP key), with `""` for one quote
 * (https://github.com/docker/actions-toolkit/blob/main/src/util.ts). The facts relied on, from that file and its tests
 * (https://github.com/docker/actions-toolkit/blob/main/__tests__/util.test.ts):
 * - csv-parse runs with `relax_quotes` (a quote inside an unquoted field is text: `key="a b"` stays as written),
 *   `relax_column_count` and `skip_empty_lines`; `quote: false` for inputs whose entries are CSV themselves;
 * - a record of one field is split on commas unless the input sets `ignoreComma`; a record of several fields gives
 *   its fields, or with `ignoreComma` is joined back with commas (so a quoted line loses only its quotes);
 * - empty entries are dropped, the others trimmed, except where `trimWhitespace: false` (build-push-action's
 *   `secrets`: a value is kept to the byte, trailing newlines of a quoted PEM key included);
 * - `#` starts a comment only where the action asks for it (metadata-action's inputs, with `commentNoInfix`: only at
 *   the start of a line, so `value=a#b` keeps its `#`).
 * Deliberate differences, each the stricter or the one this project already documented:
 * - lines end at `\r\n` or `\n` whatever the first line uses (csv-parse alone guesses from the first line ending,
 *   so a mixed input would leave a `\r` in a secret value); inside quotes the value keeps its own line endings;
 * - an entry that is only whitespace is dropped, as a blank line is (docker's keeps it, then refuses it downstream);
 * - where comments apply, a line whose first non-blank character is `#` is one (docker/metadata-action-compat.md:
 *   blank lines and `#` comments ignored), not only a `#` in the first column;
 * - a quote that is never closed is an error naming the input and the line it opens on, never a warning.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { InputError } from '../errors.js';

/** How one list input is read: the options docker's action for that input passes to getInputList. */
export interface ListFormat {
  /**
   * Commas separate entries as line breaks do (getInputList's default: `platforms`, `secret-envs`); false keeps each
   * line one entry, its commas included (`ignoreComma`: `build-args`, `secrets`, `cache-to`...).
   */
  readonly commas: boolean;
  /** Lines starting with `#` are comments (metadata-action's `comment: '#'` with `commentNoInfix`). */
  readonly comments?: boolean;
  /**
   * Double quotes are plain text, left for the reader of the entry (`quote: false`): buildx's `--driver-opt`, and the
   * tag engine, which reads quoted fields of `images`, `tags` and `flavor` lines itself (`type=match,"pattern=\d{1,2}"`).
   */
  readonly literalQuotes?: boolean;
  /** Entries keep their leading and trailing whitespace (`trimWhitespace: false`: build-push-action's `secrets`). */
  readonly keepWhitespace?: boolean;
}

/**
 * The entries of the list input `input` (named in errors). `secret`: the input's text is never repeated in an error.
 */
export function parseList(input: string, text: string, format: ListFormat, secret = false): string[] {
  const records = parseRecords(input, text, format, secret);
  const entries = records.flatMap((record): string[] => {
    if (!format.commas) return [record.join(',')];
    const [only] = record;
    return record.length === 1 && only !== undefined ? only.split(',') : record;
  });
  return entries
    .map((entry) => (format.keepWhitespace === true ? entry : entry.trim()))
    .filter((entry) => {
      const bare = entry.trim();
      return bare !== '' && !(format.comments === true && bare.startsWith('#'));
    });
}

function parseRecords(input: string, text: string, format: ListFormat, secret: boolean): string[][] {
  const source = Buffer.from(text, 'utf8');
  // Bytes of the input read by the last complete record: where an unclosed quote's record starts.
  let consumed = 0;
  try {
    return parse(source, {
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
      quote: format.literalQuotes === true ? false : '"',
      ...(format.comments === true ? { comment: '#', comment_no_infix: true } : {}),
      on_record: (record: string[], info) => {
        consumed = info.bytes;
        return record;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const lines = text.split(/\r?\n/);
    let line = source.subarray(0, consumed).toString('utf8').split('\n').length;
    // Blank lines and comment lines before the failed record are no records: the record starts after them.
    while (line < lines.length && isSkipped(lines[line - 1] ?? '', format)) line++;
    const where = `line ${line}`;
    const problem =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `the quote that opens on ${where} is never closed`
        : `cannot be read as CSV at ${where} (${error.code})`;
    throw new InputError(input, secret ? undefined : (lines[line - 1] ?? ''), problem);
  }
}

/**
 * The fields of one entry that a tool reads as a CSV record itself, as buildx reads a `--driver-opt` (Go's CSV rules:
 * a quote only at the start of a field, `""` inside quotes for one quote).
 */
export function csvFields(input: string, entry: string): string[] {
  let records: string[][];
  try {
    records = parse(entry, { relax_column_count: true });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new InputError(input, entry, 'expected comma-separated fields, each quoted whole or not at all');
  }
  const [record, ...more] = records;
  if (record === undefined || more.length > 0) throw new InputError(input, entry, 'expected one line');
  return record;
}

function isSkipped(line: string, format: ListFormat): boolean {
  return line === '' || (format.comments === true && line.startsWith('#'));
}
