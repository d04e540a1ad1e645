/**
 * Applies the tag rules to the CI context, as docker/metadata-action does: rules run by priority, highest first; the
 * first tag produced is `version.main`, the others `version.partial`; whether `latest` is added is decided by the
 * first rule that produces a tag (under latest=auto: semver and pep440 final releases, match, and ref,event=tag say
 * yes; the others no). Then every image is crossed with every tag.
 */
import { InputError } from '../errors.js';
import type { Flavor } from './flavor.js';
import { branchName, evaluateGlobal, tagName, type Facts } from './globals.js';
import type { TagRule } from './rules.js';
import { dockerTag } from './sanitize.js';
import { renderTemplate, type Template } from './template.js';
import { renderVersion } from './versions.js';

export interface Version {
  main: string | undefined;
  partial: string[];
  latest: boolean;
}

/** A rule's outcome: the tag text before prefix and suffix, and whether it votes for `latest` under latest=auto. */
interface Produced {
  value: string;
  latest: boolean;
}

export function computeVersion(rules: readonly TagRule[], flavor: Flavor, facts: Facts): Version {
  const tags: string[] = [];
  let latest: boolean | undefined;
  for (const rule of rules) {
    if (!isEnabled(rule, facts)) continue;
    const produced = produce(rule, facts);
    if (produced === undefined) continue;
    const tag = dockerTag(affix(rule, produced.value, flavor, facts));
    if (tag === undefined) continue;
    if (!tags.includes(tag)) tags.push(tag);
    latest ??= flavor.latest === 'auto' ? produced.latest : flavor.latest === 'true';
  }
  const [main, ...partial] = tags;
  return { main, partial, latest: latest ?? false };
}

/** The tags of each image (bare tags when there is no image), `latest` last; none without a main version. */
export function fullTags(images: readonly string[], version: Version, flavor: Flavor, facts: Facts): string[] {
  if (version.main === undefined) return [];
  const tags = [version.main, ...version.partial];
  if (version.latest) {
    const prefix = flavor.prefixOnLatest ? render(flavor.prefix, facts) : '';
    const suffix = flavor.suffixOnLatest ? render(flavor.suffix, facts) : '';
    const latest = dockerTag(`${prefix}latest${suffix}`);
    if (latest !== undefined && !tags.includes(latest)) tags.push(latest);
  }
  if (images.length === 0) return tags;
  return images.flatMap((image) => tags.map((tag) => `${image}:${tag}`));
}

/** The commit SHA as type=sha and {{sha}} show it. */
export function shortSha(sha: string, length: number): string {
  return sha.slice(0, length);
}

function render(template: Template, facts: Facts): string {
  return renderTemplate(template, (expression) => evaluateGlobal(expression, facts));
}

function isEnabled(rule: TagRule, facts: Facts): boolean {
  const enable = render(rule.enable, facts);
  if (enable !== 'true' && enable !== 'false') {
    throw new InputError(
      'tags',
      rule.source,
      `enable must be true or false, and "${rule.enable.source}" gives "${enable}"`,
    );
  }
  return enable === 'true';
}

function affix(rule: TagRule, value: string, flavor: Flavor, facts: Facts): string {
  // A rule's own prefix/suffix, even empty, replaces the flavor's; ref,event=pr and sha have built-in prefixes.
  const prefix = rule.prefix ?? builtInPrefix(rule, facts) ?? flavor.prefix;
  const suffix = rule.suffix ?? flavor.suffix;
  return `${typeof prefix === 'string' ? prefix : render(prefix, facts)}${value}${render(suffix, facts)}`;
}

function builtInPrefix(rule: TagRule, facts: Facts): string | undefined {
  if (rule.type === 'sha') return 'sha-';
  if (rule.type === 'ref' && rule.event === 'pr') return facts.ctx.platform === 'gitlab' ? 'mr-' : 'pr-';
  return undefined;
}

function produce(rule: TagRule, facts: Facts): Produced | undefined {
  const { ctx } = facts;
  switch (rule.type) {
    case 'schedule':
      return ctx.event === 'schedule' ? { value: render(rule.pattern, facts), latest: false } : undefined;
    case 'semver':
    case 'pep440': {
      const text = versionText(rule.value, rule.match, facts);
      const rendered = text === undefined ? undefined : renderVersion(rule.type, text, rule.pattern);
      return rendered === undefined ? undefined : { value: rendered.value, latest: rendered.release };
    }
    case 'match': {
      const text = versionText(rule.value, undefined, facts);
      const found = text?.match(rule.pattern);
      const value = found !== null && found !== undefined ? found[rule.group] : undefined;
      return value === undefined ? undefined : { value, latest: true };
    }
    case 'edge': {
      const branch = branchName(ctx.ref);
      const wanted = rule.branch ?? ctx.repository.defaultBranch;
      return branch !== undefined && branch === wanted ? { value: 'edge', latest: false } : undefined;
    }
    case 'ref':
      return refValue(rule.event, facts);
    case 'raw':
      return { value: render(rule.value, facts), latest: false };
    case 'sha':
      if (facts.sha === '') return undefined;
      return { value: rule.format === 'long' ? facts.sha : facts.shortSha, latest: false };
  }
}

function refValue(event: 'branch' | 'tag' | 'pr', facts: Facts): Produced | undefined {
  const { ctx } = facts;
  switch (event) {
    case 'branch': {
      const branch = branchName(ctx.ref);
      return branch === undefined ? undefined : { value: branch, latest: false };
    }
    case 'tag': {
      const tag = tagName(ctx.ref);
      return tag === undefined ? undefined : { value: tag, latest: true };
    }
    case 'pr':
      return ctx.event === 'pr' && ctx.pullRequest !== undefined
        ? { value: String(ctx.pullRequest.number), latest: false }
        : undefined;
  }
}

/**
 * The text a semver/pep440/match rule reads: its `value` when set, else the git tag (no tag: nothing). With `match`,
 * the regular expression's first group (or whole match) is the version.
 */
function versionText(value: Template, match: RegExp | undefined, facts: Facts): string | undefined {
  const text = value.parts.length > 0 ? render(value, facts) : tagName(facts.ctx.ref);
  if (text === undefined || match === undefined) return text;
  const found = text.match(match);
  if (found === null) return undefined;
  return found[1] ?? found[0];
}
