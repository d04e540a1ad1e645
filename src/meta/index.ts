/**
 * The tag, label and annotation engine: docker/metadata-action's rule language and results, as a pure function of the
 * CI context, the inputs and a clock reading. See docs/metadata-action-compat.md for what differs on purpose.
 *
 * Every input is parsed and checked first (parseMeta), so a bad rule, image, flavor, label or annotation throws an
 * InputError before anything is computed.
 */
import type { CiContext } from '../context/types.js';
import { InputError } from '../errors.js';
import { parseFlavor, type Flavor } from './flavor.js';
import type { Facts } from './globals.js';
import { enabledImages, parseImages, type ImageName } from './images.js';
import { annotationLines, labelLines, ociLabels, parseEntries, parseLevels, type UserEntry } from './labels.js';
import { splitTagLines, type ImageReference } from './references.js';
import { parseRules, type TagRule } from './rules.js';
import { computeVersion, fullTags, shortSha, type Version } from './tags.js';

export interface MetaOptions {
  images: string[];
  tags: string[];
  flavor: string[];
  labels: string[];
  annotations: string[];
  /** The sha-length input. */
  shaLength: number | undefined;
  /** DOCKER_METADATA_SHORT_SHA_LENGTH, already read as a number by the edge. */
  shortShaLengthEnv: number | undefined;
  /** DOCKER_METADATA_PR_HEAD_SHA: on pull requests, type=sha and the revision label use the PR head commit. */
  prHeadSha: boolean;
  /** DOCKER_METADATA_ANNOTATIONS_LEVELS split on commas; empty means ['manifest']. */
  annotationLevels: string[];
}

export interface Meta {
  /** metadata-action's `version` output: the main tag, the other tags, and whether `latest` was added. */
  version: Version;
  /** Full references (`image:tag` for every image and tag), or bare tags when there is no image. */
  tags: string[];
  /** `tags` lines that are full image references (`ghcr.io/o/app:1.2`), as written (repository lowercased). */
  references: ImageReference[];
  /** the enabled images, lowercased, in input order */
  images: string[];
  /** the tags the rules give, bare (`1.2.3`, `1.2`, `latest`): what every image is tagged with */
  tagNames: string[];
  /** `key=value`, sorted by key. */
  labels: string[];
  /** `level:key=value`, by level, sorted by key. */
  annotations: string[];
}

export type { Version } from './tags.js';

/** The checked form of MetaOptions. */
export interface ParsedMeta {
  images: ImageName[];
  rules: TagRule[];
  references: ImageReference[];
  flavor: Flavor;
  labels: UserEntry[];
  annotations: UserEntry[];
  shaLength: number | undefined;
  shortShaLengthEnv: number | undefined;
  prHeadSha: boolean;
  annotationLevels: string[];
}

/** Default length of type=sha tags and {{sha}}: GitLab's CI_COMMIT_SHORT_SHA has 8 characters, git's default 7. */
export const DEFAULT_SHA_LENGTH: Readonly<Record<CiContext['platform'], number>> = { github: 7, gitlab: 8, local: 7 };

/** Checks every input; throws an InputError naming the first bad one. */
export function parseMeta(options: MetaOptions): ParsedMeta {
  const tagLines = splitTagLines(options.tags.filter(isEntry));
  return {
    images: parseImages(options.images.filter(isEntry)),
    rules: parseRules(tagLines.rules, tagLines.references.length === 0),
    references: tagLines.references,
    flavor: parseFlavor(options.flavor.filter(isEntry)),
    labels: parseEntries('labels', options.labels.filter(isEntry)),
    annotations: parseEntries('annotations', options.annotations.filter(isEntry)),
    shaLength: checkShaLength('sha-length', options.shaLength),
    shortShaLengthEnv: checkShaLength('DOCKER_METADATA_SHORT_SHA_LENGTH', options.shortShaLengthEnv),
    prHeadSha: options.prHeadSha,
    annotationLevels: parseLevels(options.annotationLevels),
  };
}

export function computeMeta(ctx: CiContext, options: MetaOptions, now: Date): Meta {
  return computeParsedMeta(ctx, parseMeta(options), now);
}

export function computeParsedMeta(ctx: CiContext, parsed: ParsedMeta, now: Date): Meta {
  const sha = parsed.prHeadSha && ctx.event === 'pr' && ctx.pullRequest?.headSha ? ctx.pullRequest.headSha : ctx.sha;
  const length = parsed.shaLength ?? parsed.shortShaLengthEnv ?? DEFAULT_SHA_LENGTH[ctx.platform];
  const facts: Facts = { ctx, sha, shortSha: shortSha(sha, length), now };
  const computed = computeVersion(parsed.rules, parsed.flavor, facts);
  // Tags given only as references: the first one's tag is the version (the `version` output and label).
  const [first] = parsed.references;
  const version =
    parsed.rules.length === 0 && first !== undefined ? { main: first.tag, partial: [], latest: false } : computed;
  const generated = ociLabels(facts, version.main);
  return {
    version,
    tags: parsed.rules.length === 0 ? [] : fullTags(enabledImages(parsed.images), version, parsed.flavor, facts),
    references: parsed.references,
    images: enabledImages(parsed.images),
    tagNames: parsed.rules.length === 0 ? [] : fullTags([], version, parsed.flavor, facts),
    labels: labelLines(generated, parsed.labels, facts),
    annotations: annotationLines(generated, parsed.annotations, parsed.annotationLevels, facts),
  };
}

/** The bounds of `type=sha` lengths: the sha-length input's (the input table reads them from here). */
export const SHA_LENGTH = { type: 'number', min: 4, max: 40 } as const;

function checkShaLength(input: string, length: number | undefined): number | undefined {
  if (length === undefined) return length;
  if (!Number.isInteger(length) || length < SHA_LENGTH.min || length > SHA_LENGTH.max) {
    throw new InputError(input, String(length), `expected a whole number from ${SHA_LENGTH.min} to ${SHA_LENGTH.max}`);
  }
  return length;
}

/** Blank lines and `#` comments are not entries (metadata-action's getInputList drops them too). */
function isEntry(line: string): boolean {
  return line.trim() !== '' && !line.trim().startsWith('#');
}
