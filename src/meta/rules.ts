/**
 * The `tags` input: docker/metadata-action's tag rules (`type=semver,pattern={{version}}`, `type=ref,event=pr`, ...),
 * parsed into typed rules and sorted by priority, highest first (ties keep input order). Every attribute, pattern,
 * regular expression and expression is checked here, so a bad rule fails before anything is computed.
 */
import { InputError } from '../errors.js';
import { splitFields, type Field } from './fields.js';
import { checkedTemplate } from './globals.js';
import { expressions, literal, parseTemplateInput, type Template } from './template.js';
import { VERSION_PLACEHOLDERS, type VersionScheme } from './versions.js';

export const RULE_TYPES = ['schedule', 'semver', 'pep440', 'match', 'edge', 'ref', 'raw', 'sha'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** metadata-action's default priorities: the highest-priority tag that is produced becomes `version.main`. */
export const DEFAULT_PRIORITY: Readonly<Record<RuleType, number>> = {
  schedule: 1000,
  semver: 900,
  pep440: 900,
  match: 800,
  edge: 700,
  ref: 600,
  raw: 200,
  sha: 100,
};

/** The rules used when `tags` is empty. */
export const DEFAULT_TAGS = ['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'];

interface RuleBase {
  /** The input line, for messages. */
  source: string;
  enable: Template;
  priority: number;
  /** Set (even to empty) means the flavor's prefix/suffix does not apply. */
  prefix: Template | undefined;
  suffix: Template | undefined;
}

export type TagRule = RuleBase &
  (
    | { type: 'schedule'; pattern: Template }
    | { type: VersionScheme; pattern: Template; value: Template; match: RegExp | undefined }
    | { type: 'match'; pattern: RegExp; group: number; value: Template }
    /** branch undefined: the repository's default branch. */
    | { type: 'edge'; branch: string | undefined }
    | { type: 'ref'; event: 'branch' | 'tag' | 'pr' }
    | { type: 'raw'; value: Template }
    | { type: 'sha'; format: 'short' | 'long' }
  );

const COMMON = ['type', 'enable', 'priority', 'prefix', 'suffix'];
const ATTRIBUTES: Readonly<Record<RuleType, readonly string[]>> = {
  schedule: ['pattern'],
  semver: ['pattern', 'value', 'match'],
  pep440: ['pattern', 'value', 'match'],
  match: ['pattern', 'group', 'value'],
  edge: ['branch'],
  ref: ['event'],
  raw: ['value'],
  sha: ['format'],
};

/** `defaults`: no lines means metadata-action's default rules (false when the tags input held only references). */
export function parseRules(lines: readonly string[], defaults = true): TagRule[] {
  const rules = (lines.length === 0 && defaults ? DEFAULT_TAGS : lines).map((line) => parseRule(line));
  return rules.sort((a, b) => b.priority - a.priority);
}

function parseRule(line: string): TagRule {
  const fail = (why: string): never => {
    throw new InputError('tags', line, why);
  };
  const attrs = new Map<string, string>();
  for (const field of splitFields('tags', line)) {
    const key = field.key ?? 'value';
    if (attrs.has(key)) fail(`${describe(field)} is given twice`);
    attrs.set(key, field.value);
  }
  const typeText = attrs.get('type') ?? 'raw';
  const type = RULE_TYPES.find((known) => known === typeText);
  if (type === undefined) return fail(`unknown type "${typeText}"; expected one of ${RULE_TYPES.join(', ')}`);
  for (const key of attrs.keys()) {
    if (!COMMON.includes(key) && !ATTRIBUTES[type].includes(key)) {
      const allowed = [...COMMON.slice(1), ...ATTRIBUTES[type]].join(', ');
      fail(
        key === 'value'
          ? `type=${type} takes no value`
          : `unknown attribute "${key}" for type=${type}; expected ${allowed}`,
      );
    }
  }
  const template = (key: string): Template | undefined => {
    const text = attrs.get(key);
    return text === undefined ? undefined : checkedTemplate('tags', line, text);
  };
  const required = (key: string): string => attrs.get(key) ?? fail(`type=${type} needs ${key}=`);
  const priorityText = attrs.get('priority');
  if (priorityText !== undefined && !/^-?\d+$/.test(priorityText)) fail(`priority must be a whole number`);
  const base: RuleBase = {
    source: line,
    enable: template('enable') ?? literal('true'),
    priority: priorityText === undefined ? DEFAULT_PRIORITY[type] : Number(priorityText),
    prefix: template('prefix'),
    suffix: template('suffix'),
  };
  switch (type) {
    case 'schedule':
      return { ...base, type, pattern: template('pattern') ?? literal('nightly') };
    case 'semver':
    case 'pep440': {
      const match = attrs.get('match');
      return {
        ...base,
        type,
        pattern: versionPattern(line, type, required('pattern')),
        value: template('value') ?? literal(''),
        match: match === undefined ? undefined : regex(line, 'match', match),
      };
    }
    case 'match': {
      const group = attrs.get('group') ?? '0';
      if (!/^\d+$/.test(group)) fail(`group must be a whole number, not "${group}"`);
      const pattern = regex(line, 'pattern', required('pattern'));
      return { ...base, type, pattern, group: Number(group), value: template('value') ?? literal('') };
    }
    case 'edge': {
      const branch = attrs.get('branch');
      return { ...base, type, branch: branch === '' ? undefined : branch };
    }
    case 'ref': {
      const event = required('event');
      if (event !== 'branch' && event !== 'tag' && event !== 'pr') {
        return fail(`event must be branch, tag or pr, not "${event}"`);
      }
      return { ...base, type, event };
    }
    case 'raw':
      return { ...base, type, value: template('value') ?? fail('type=raw needs a value') };
    case 'sha': {
      const format = attrs.get('format') ?? 'short';
      if (format !== 'short' && format !== 'long') return fail(`format must be short or long, not "${format}"`);
      return { ...base, type, format };
    }
  }
}

function describe(field: Field): string {
  return field.key === undefined ? 'the value' : `${field.key}=`;
}

/** A semver/pep440 pattern may use {{raw}}, {{version}}, {{major}}, {{minor}} and {{patch}}, without parameters. */
function versionPattern(line: string, type: VersionScheme, text: string): Template {
  const template = parseTemplateInput('tags', line, text);
  for (const expression of expressions(template)) {
    if (!VERSION_PLACEHOLDERS.includes(expression.name)) {
      const allowed = VERSION_PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ');
      throw new InputError(
        'tags',
        line,
        `unknown placeholder {{${expression.name}}} in a ${type} pattern; expected ${allowed}`,
      );
    }
    if (expression.params.length > 0 || expression.hash.size > 0) {
      throw new InputError('tags', line, `{{${expression.name}}} takes no parameters`);
    }
  }
  return template;
}

/** `text` as a regular expression: `/source/flags`, or the whole text without flags (metadata-action's forms). */
function regex(line: string, key: string, text: string): RegExp {
  const literalForm = /^\/(.+)\/([a-z]*)$/s.exec(text);
  try {
    return literalForm?.[1] !== undefined ? new RegExp(literalForm[1], literalForm[2]) : new RegExp(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError('tags', line, `${key} is not a valid regular expression (${reason})`);
  }
}
