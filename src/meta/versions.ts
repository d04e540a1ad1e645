/**
 * type=semver and type=pep440: read a version from a git tag (or a `value`) and render the rule's pattern with its
 * parts. As in docker/metadata-action, a pre-release (and, for PEP 440, a post- or dev-release) gets only its full
 * version, whatever the pattern (`{{major}}` of 2.0.8-beta.67 is 2.0.8-beta.67), unless the pattern is exactly
 * `{{raw}}`; and it is never `latest`.
 */
import * as pep440 from '@renovatebot/pep440';
import * as semver from 'semver';
import { expressions, renderTemplate, type Template } from './template.js';

export type VersionScheme = 'semver' | 'pep440';

/** The placeholders a semver or pep440 pattern may use. */
export const VERSION_PLACEHOLDERS: readonly string[] = ['raw', 'version', 'major', 'minor', 'patch'];

export interface RenderedVersion {
  value: string;
  /** A final release: it may become `latest` under latest=auto. */
  release: boolean;
}

/** Undefined when `text` is not a version of the scheme (no tag, as in metadata-action). */
export function renderVersion(scheme: VersionScheme, text: string, pattern: Template): RenderedVersion | undefined {
  const parts = scheme === 'semver' ? semverParts(text) : pep440Parts(text);
  if (parts === undefined) return undefined;
  if (parts.prerelease) {
    return { value: isRawPattern(pattern) ? parts.raw : parts.version, release: false };
  }
  const value = renderTemplate(pattern, (expression) => {
    const part = parts[expression.name as keyof VersionParts];
    return String(part);
  });
  return { value, release: true };
}

interface VersionParts {
  raw: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  prerelease: boolean;
}

function semverParts(text: string): VersionParts | undefined {
  if (semver.valid(text) === null) return undefined;
  const parsed = semver.parse(text);
  if (parsed === null) return undefined;
  return {
    raw: parsed.raw,
    version: parsed.version,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.length > 0,
  };
}

function pep440Parts(text: string): VersionParts | undefined {
  const explained = pep440.valid(text) === null ? null : pep440.explain(text);
  const clean = pep440.clean(text);
  if (explained === null || clean === null) return undefined;
  return {
    raw: text,
    version: clean,
    major: pep440.major(text),
    minor: pep440.minor(text),
    patch: pep440.patch(text),
    prerelease: explained.is_prerelease || explained.is_postrelease || explained.is_devrelease,
  };
}

/** Exactly `{{raw}}`: a pre-release keeps its raw text instead of the normalised version. */
function isRawPattern(pattern: Template): boolean {
  const found = expressions(pattern);
  return pattern.parts.length === 1 && found.length === 1 && found[0]?.name === 'raw';
}
