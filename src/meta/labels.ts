/**
 * Labels and annotations, as docker/metadata-action makes them: the OCI set (created, description, licenses, revision,
 * source, title, url, version), overridden by the user's `key=value` lines with the same key, sorted by key. Values
 * may use the global expressions (`org.opencontainers.image.created={{commit_date 'YYYY-MM-DDTHH:mm:ss.SSS[Z]'}}`).
 * Annotations are written `level:key=value` for each level (default `manifest`); a user annotation may name its own
 * level (`index:key=value`, `manifest[linux/amd64]:key=value`) and then goes to that level only.
 */
import { InputError } from '../errors.js';
import { checkedTemplate, evaluateGlobal, type Facts } from './globals.js';
import { renderTemplate, type Template } from './template.js';

export interface UserEntry {
  /** For annotations: the level the line names, else undefined (every level). */
  level: string | undefined;
  key: string;
  value: Template;
}

const LEVEL = '(?:manifest|index|manifest-descriptor|index-descriptor)(?:\\[[A-Za-z0-9_./,-]+\\])?';
const LEVEL_ONLY = new RegExp(`^${LEVEL}$`);
const LEVEL_PREFIX = new RegExp(`^(${LEVEL}):(.+)$`);
const LEVELS_EXPECTED = 'expected manifest, index, manifest-descriptor or index-descriptor, optionally with [platform]';

export function parseEntries(input: 'labels' | 'annotations', lines: readonly string[]): UserEntry[] {
  return lines.map((line) => {
    const at = line.indexOf('=');
    let key = at < 0 ? '' : line.slice(0, at).trim();
    if (key === '') throw new InputError(input, line, 'expected key=value');
    let level: string | undefined;
    const scoped = input === 'annotations' ? LEVEL_PREFIX.exec(key) : null;
    if (scoped?.[1] !== undefined && scoped[2] !== undefined) {
      level = scoped[1];
      key = scoped[2];
    }
    return { level, key, value: checkedTemplate(input, line, line.slice(at + 1)) };
  });
}

export function parseLevels(levels: readonly string[]): string[] {
  const parsed = levels.map((level) => level.trim()).filter((level) => level !== '');
  for (const level of parsed) {
    if (!LEVEL_ONLY.test(level)) throw new InputError('DOCKER_METADATA_ANNOTATIONS_LEVELS', level, LEVELS_EXPECTED);
  }
  return parsed.length === 0 ? ['manifest'] : [...new Set(parsed)];
}

/** The generated OCI labels, by key. */
export function ociLabels(facts: Facts, version: string | undefined): Map<string, string> {
  const { repository } = facts.ctx;
  return new Map([
    ['org.opencontainers.image.title', repository.name],
    ['org.opencontainers.image.description', repository.description],
    ['org.opencontainers.image.url', repository.url],
    ['org.opencontainers.image.source', repository.url],
    ['org.opencontainers.image.version', version ?? ''],
    ['org.opencontainers.image.created', facts.now.toISOString()],
    ['org.opencontainers.image.revision', facts.sha],
    ['org.opencontainers.image.licenses', repository.license ?? ''],
  ]);
}

export function labelLines(generated: ReadonlyMap<string, string>, user: readonly UserEntry[], facts: Facts): string[] {
  const labels = new Map(generated);
  for (const entry of user) labels.set(entry.key, render(entry.value, facts));
  return sortedLines(labels, '');
}

export function annotationLines(
  generated: ReadonlyMap<string, string>,
  user: readonly UserEntry[],
  levels: readonly string[],
  facts: Facts,
): string[] {
  const byLevel = new Map<string, Map<string, string>>();
  for (const level of levels) {
    const annotations = new Map(generated);
    for (const entry of user) if (entry.level === undefined) annotations.set(entry.key, render(entry.value, facts));
    byLevel.set(level, annotations);
  }
  for (const entry of user) {
    if (entry.level === undefined) continue;
    const annotations = byLevel.get(entry.level) ?? new Map<string, string>();
    annotations.set(entry.key, render(entry.value, facts));
    byLevel.set(entry.level, annotations);
  }
  return [...byLevel].flatMap(([level, annotations]) => sortedLines(annotations, `${level}:`));
}

function render(template: Template, facts: Facts): string {
  return renderTemplate(template, (expression) => evaluateGlobal(expression, facts));
}

function sortedLines(entries: ReadonlyMap<string, string>, prefix: string): string[] {
  return [...entries]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${prefix}${key}=${value}`);
}
