/**
 * The global expressions of docker/metadata-action, usable in tag values, prefixes, suffixes, `enable`, schedule
 * patterns, labels and annotations: {{branch}}, {{tag}}, {{sha}}, {{base_ref}}, {{is_default_branch}},
 * {{is_not_default_branch}}, {{date 'FORMAT' tz='Zone'}} and {{commit_date 'FORMAT' tz='Zone'}}.
 */
import type { CiContext } from '../context/types.js';
import { InputError } from '../errors.js';
import { checkTimeZone, formatDate } from './dates.js';
import { expressions, parseTemplateInput, type Expression, type Template } from './template.js';

/** What the expressions read, computed once from the context and options. */
export interface Facts {
  ctx: CiContext;
  /** The commit the tags and the revision label name (the PR head with prHeadSha). */
  sha: string;
  shortSha: string;
  now: Date;
}

const NO_PARAMETERS = new Set(['branch', 'tag', 'sha', 'base_ref', 'is_default_branch', 'is_not_default_branch']);
const DATES = new Set(['date', 'commit_date']);

export const GLOBAL_EXPRESSIONS: readonly string[] = [...NO_PARAMETERS, ...DATES];

/** Parses `text` as a template of global expressions, or throws an InputError naming `input` and `line`. */
export function checkedTemplate(input: string, line: string, text: string): Template {
  const template = parseTemplateInput(input, line, text);
  for (const expression of expressions(template)) {
    const problem = checkGlobal(expression);
    if (problem !== undefined) throw new InputError(input, line, problem);
  }
  return template;
}

/** Why the expression cannot be used, or undefined when it can. */
export function checkGlobal(expression: Expression): string | undefined {
  const { name, params, hash } = expression;
  if (NO_PARAMETERS.has(name)) {
    return params.length > 0 || hash.size > 0 ? `{{${name}}} takes no parameters` : undefined;
  }
  if (!DATES.has(name)) {
    return `unknown expression {{${name}}}; expected one of ${GLOBAL_EXPRESSIONS.map((n) => `{{${n}}}`).join(', ')}`;
  }
  if (params.length > 1) return `{{${name}}} takes one format, as in {{${name} 'YYYYMMDD'}}`;
  if (params[0]?.kind === 'number') return `the format of {{${expression.source}}} must be quoted`;
  for (const [key, value] of hash) {
    if (key !== 'tz') return `{{${name}}} has no ${key} attribute; expected tz='Zone/Name'`;
    if (value.kind !== 'string') return `the tz of {{${expression.source}}} must be a quoted time zone name`;
    try {
      checkTimeZone(value.value);
    } catch {
      return `unknown time zone "${value.value}" in {{${expression.source}}}`;
    }
  }
  return undefined;
}

/** The text of a global expression; it must have passed checkGlobal. */
export function evaluateGlobal(expression: Expression, facts: Facts): string {
  const { ctx } = facts;
  switch (expression.name) {
    case 'branch':
      return branchName(ctx.ref) ?? '';
    case 'tag':
      return tagName(ctx.ref) ?? '';
    case 'sha':
      return facts.shortSha;
    case 'base_ref':
      return ctx.baseRef;
    case 'is_default_branch':
      return String(isDefaultBranch(ctx));
    case 'is_not_default_branch':
      return String(!isDefaultBranch(ctx));
    case 'date':
    case 'commit_date': {
      const format = expression.params[0];
      const tz = expression.hash.get('tz');
      const date = expression.name === 'date' ? facts.now : ctx.commitDate;
      // A bare word is a Handlebars lookup with no value: moment's default format, as metadata-action gives.
      return formatDate(date, format?.kind === 'string' ? format.value : undefined, tz?.value.toString() ?? 'UTC');
    }
  }
  throw new Error(`unchecked expression {{${expression.source}}}`);
}

export function branchName(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

export function tagName(ref: string): string | undefined {
  return ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
}

// GitHub runs these events on the last commit of the default branch, whatever GITHUB_REF says (metadata-action's
// rule, https://docs.github.com/en/actions/using-workflows/events-that-trigger-workflows).
const GITHUB_DEFAULT_BRANCH_EVENTS = /create|discussion|issues|schedule/;

export function isDefaultBranch(ctx: CiContext): boolean {
  if (ctx.ref === '') return false;
  const branch = branchName(ctx.ref);
  if (branch !== undefined && branch === ctx.repository.defaultBranch) return true;
  return ctx.platform === 'github' && GITHUB_DEFAULT_BRANCH_EVENTS.test(ctx.eventName);
}
