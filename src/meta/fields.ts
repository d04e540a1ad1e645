/**
 * The comma-separated `key=value` fields of one `tags`, `flavor` or `images` line, read as docker/metadata-action
 * reads them (one CSV record): a field may be double-quoted so that it can hold commas (`"pattern=\d{1,2}"`), and
 * `""` inside quotes is one quote. Only the first `=` of a field separates key and value.
 */
// Not csv-parse (which src/inputs/list.ts uses for the list inputs): a template holds double quotes inside an unquoted
// field (`{{date "YYYY"}}`), which csv-parse accepts only with relax_quotes, and relax_quotes also takes text after a
// closing quote (`"value=x"y`) instead of refusing it; this reader does both, in a few lines.
import { InputError } from '../errors.js';

export interface Field {
  /** Lowercased key, or undefined for a bare value (`type=raw,foo`: `foo`). */
  key: string | undefined;
  value: string;
}

/** Splits one line into its fields; `input` names the input for errors. */
export function splitFields(input: string, line: string): Field[] {
  return splitRecord(input, line).map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) return { key: undefined, value: text.trim() };
    return { key: text.slice(0, at).trim().toLowerCase(), value: text.slice(at + 1).trim() };
  });
}

function splitRecord(input: string, line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= line.length) throw new InputError(input, line, 'a quoted field is not closed');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += line.charAt(i);
        i++;
      }
      if (i < line.length && line[i] !== ',') {
        throw new InputError(input, line, 'expected a comma after a quoted field');
      }
      fields.push(text);
    } else {
      const end = line.indexOf(',', i);
      fields.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) break;
    i++; // the comma
  }
  return fields.filter((field) => field.trim() !== '');
}
