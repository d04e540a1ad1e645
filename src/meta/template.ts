/**
 * The `{{expression}}` syntax of docker/metadata-action's values (which it renders with Handlebars), parsed once and
 * checked up front: an expression is a name, then positional parameters and `key=value` hash parameters, each a
 * quoted string ('...' or "..."), a number, or a bare word. Handlebars reads a bare word as a lookup of a variable
 * that does not exist, so it stands for "no value" here too (`{{commit_date YYYY-MM-DD}}` is commit_date with no
 * format, which metadata-action's tests rely on). Block helpers (`{{#if}}`), partials, comments, triple braces and
 * `\{{` escapes are not part of the language: they are rejected, not rendered half-way.
 */
import { InputError } from '../errors.js';

export type Param =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  /** A bare word: a Handlebars variable lookup, which has no value here. */
  | { kind: 'word'; value: string };

export interface Expression {
  name: string;
  params: Param[];
  hash: ReadonlyMap<string, Param>;
  /** The text between the braces, for messages. */
  source: string;
}

export type Part = { kind: 'text'; text: string } | { kind: 'expression'; expression: Expression };

export interface Template {
  source: string;
  parts: Part[];
}

/** Thrown for a syntax error; the caller turns it into an InputError naming the input and the line. */
export class TemplateSyntaxError extends Error {}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/** parseTemplate, with a syntax error turned into an InputError naming the input and the line it came from. */
export function parseTemplateInput(input: string, line: string, source: string): Template {
  try {
    return parseTemplate(source);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new InputError(input, line, error.message);
    throw error;
  }
}

export function parseTemplate(source: string): Template {
  const parts: Part[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push({ kind: 'text', text: source.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: 'text', text: source.slice(at, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(`"{{" without "}}" in ${JSON.stringify(source)}`);
    parts.push({ kind: 'expression', expression: parseExpression(source.slice(open + 2, close)) });
    at = close + 2;
  }
  return { source, parts };
}

/** A template holding no expression: its text as is. */
export function literal(text: string): Template {
  return { source: text, parts: text === '' ? [] : [{ kind: 'text', text }] };
}

export function expressions(template: Template): Expression[] {
  return template.parts.flatMap((part) => (part.kind === 'expression' ? [part.expression] : []));
}

/** Renders a parsed template; `evaluate` gives the text of each expression. */
export function renderTemplate(template: Template, evaluate: (expression: Expression) => string): string {
  return template.parts.map((part) => (part.kind === 'text' ? part.text : evaluate(part.expression))).join('');
}

function parseExpression(inner: string): Expression {
  const source = inner.trim();
  if (/^[#/>!^{&~]/.test(source) || source.endsWith('~')) {
    throw new TemplateSyntaxError(`"{{${inner}}}" is not supported: only {{name parameters}} expressions are`);
  }
  const tokens = tokenize(source);
  const [first, ...rest] = tokens;
  if (first === undefined || !NAME.test(first)) {
    throw new TemplateSyntaxError(`"{{${inner}}}" does not start with an expression name`);
  }
  const params: Param[] = [];
  const hash = new Map<string, Param>();
  for (const token of rest) {
    const eq = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s.exec(token);
    if (eq?.[1] !== undefined && eq[2] !== undefined) {
      if (hash.has(eq[1])) throw new TemplateSyntaxError(`"{{${inner}}}" sets ${eq[1]} twice`);
      hash.set(eq[1], toParam(eq[2], inner));
    } else {
      if (hash.size > 0) throw new TemplateSyntaxError(`"{{${inner}}}" has a parameter after key=value parameters`);
      params.push(toParam(token, inner));
    }
  }
  return { name: first, params, hash, source };
}

function toParam(token: string, inner: string): Param {
  const quote = token[0];
  if (quote === "'" || quote === '"') {
    const value = token.slice(1, -1);
    if (token.length >= 2 && token.endsWith(quote) && !value.includes(quote)) return { kind: 'string', value };
  }
  if (NUMBER.test(token)) return { kind: 'number', value: Number(token) };
  if (/^[^\s'"=]+$/.test(token)) return { kind: 'word', value: token };
  throw new TemplateSyntaxError(`"{{${inner}}}" has a parameter that cannot be read: ${token}`);
}

/** Splits on whitespace, keeping quoted strings (which may hold spaces) whole, also after `key=`. */
function tokenize(source: string): string[] {
  const tokens: string[] = [];
  let at = 0;
  while (at < source.length) {
    if (/\s/.test(source[at] ?? '')) {
      at++;
      continue;
    }
    let token = '';
    while (at < source.length && !/\s/.test(source[at] ?? '')) {
      const char = source[at] ?? '';
      if (char === "'" || char === '"') {
        const end = source.indexOf(char, at + 1);
        if (end < 0) throw new TemplateSyntaxError(`"{{${source}}}" has an unclosed ${char}`);
        token += source.slice(at, end + 1);
        at = end + 1;
      } else {
        token += char;
        at++;
      }
    }
    tokens.push(token);
  }
  return tokens;
}
