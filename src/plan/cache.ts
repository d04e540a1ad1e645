/**
 * The layer cache: which kind, where, and under which keys, from the inputs and the CI context. Pure.
 *
 * One cache per image + target + platform set + branch, so matrix jobs never overwrite each other; every build also
 * reads the default branch's cache, so the first build of a new branch or merge request starts warm; pull and merge
 * requests write their own branch's cache only (a fork's, none). Exports never fail a build (`ignore-error=true`).
 */
import { createHash } from 'node:crypto';
import type { CiContext, Platform } from '../context/types.js';

import { CACHE_KINDS, type CacheChoice } from '../inputs/choices.js';

export { CACHE_KINDS, type CacheChoice };
export type CacheKind = Exclude<CacheChoice, 'auto'>;

export interface CacheRequest {
  ctx: CiContext;
  cache: CacheChoice;
  mode: 'max' | 'min';
  /** `cache-ref`: the registry repository of a registry cache, or the directory of a local one */
  ref: string | undefined;
  /** `cache-scope`: replaces the image + target + platforms part of the keys */
  scope: string | undefined;
  /** raw `cache-from` / `cache-to` entries, added to the computed ones */
  rawFrom: readonly string[];
  rawTo: readonly string[];
  /** the repositories the image is tagged in, first one first (`ghcr.io/acme/app`) */
  repositories: readonly string[];
  /** the full references this build will be tagged with (inline cache reads them back) */
  tags: readonly string[];
  target: string | undefined;
  /** the platforms built; empty: the builder's own, `hostPlatform` */
  platforms: readonly string[];
  hostPlatform: string;
  /** the build is pushed: only then is a registry cache written */
  push: boolean;
  /** the runner offers GitHub's cache service (ACTIONS_CACHE_URL or ACTIONS_RESULTS_URL) */
  ghaAvailable: boolean;
}

export interface CachePlan {
  kind: CacheKind;
  /** why this kind, in words for the log and `plan` */
  reason: string;
  /** the keys read, in order (this branch's, then the default branch's), and the one written */
  readKeys: string[];
  writeKey: string | undefined;
  /** `--cache-from` / `--cache-to` values */
  from: string[];
  to: string[];
  /** a warning for the log, when the cache asked for cannot be had here */
  warning: string | undefined;
}

const DEFAULT_LOCAL_DIR = '.buildx-cache';

export function planCache(request: CacheRequest): CachePlan {
  const { kind, reason, warning } = chooseKind(request);
  const { read, write } = branchesOf(request.ctx);
  const base = request.scope ?? scopeBase(request, kind !== 'registry');
  const readKeys = [...new Set(read.map((branch) => cacheKey(base, branch)))];
  const writeKey = write === undefined ? undefined : cacheKey(base, write);
  const entries = cacheEntries(kind, request, readKeys, writeKey);
  return {
    kind,
    reason,
    readKeys: kind === 'none' || kind === 'inline' ? [] : readKeys,
    writeKey: entries.to.length > 0 && kind !== 'inline' ? writeKey : undefined,
    from: [...entries.from, ...request.rawFrom],
    to: [...entries.to, ...request.rawTo],
    warning,
  };
}

function chooseKind(request: CacheRequest): { kind: CacheKind; reason: string; warning: string | undefined } {
  const { cache, ctx, ghaAvailable } = request;
  const platform: Platform = ctx.platform;
  if (cache === 'gha' && !ghaAvailable) {
    return {
      kind: 'none',
      reason: 'cache is gha, and this runner offers no GitHub cache service',
      warning:
        'cache: gha needs the runner’s cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL): building without a layer cache',
    };
  }
  if (cache === 'registry' && request.ref === undefined && request.repositories.length === 0) {
    return {
      kind: 'none',
      reason: 'cache is registry, with no image and no cache-ref to keep it in',
      warning: 'cache: registry needs an image or a cache-ref: building without a layer cache',
    };
  }
  if (cache !== 'auto') return { kind: cache, reason: `cache is ${cache}`, warning: undefined };
  if (platform === 'github') {
    return ghaAvailable
      ? { kind: 'gha', reason: 'cache is auto, on a GitHub runner with a cache service', warning: undefined }
      : { kind: 'none', reason: 'cache is auto, and this GitHub runner offers no cache service', warning: undefined };
  }
  if (platform === 'gitlab') {
    return request.repositories.length > 0 || request.ref !== undefined
      ? { kind: 'registry', reason: 'cache is auto, on GitLab: the registry is the cache', warning: undefined }
      : { kind: 'none', reason: 'cache is auto, on GitLab, with no image to keep a cache beside', warning: undefined };
  }
  return {
    kind: 'none',
    reason: 'cache is auto, and a local build keeps its cache in the builder',
    warning: undefined,
  };
}

/** The branches whose caches are read (own first, then the one merged into, then the default), and the one written. */
export function branchesOf(ctx: CiContext): { read: string[]; write: string | undefined } {
  const defaultBranch = ctx.repository.defaultBranch ?? 'main';
  const pr = ctx.pullRequest;
  if (ctx.event === 'pr' && pr !== undefined) {
    return {
      read: [pr.headRef, pr.baseRef, defaultBranch].filter((branch) => branch !== ''),
      // Never the default branch's (or the target's) cache; a fork's build writes nothing.
      write: pr.fromFork || pr.headRef === '' || pr.headRef === pr.baseRef ? undefined : pr.headRef,
    };
  }
  const branch = ctx.ref.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : undefined;
  // A tag (or a detached build): reads the default branch's cache, and writes none of its own.
  if (branch === undefined) return { read: [defaultBranch], write: undefined };
  return { read: [branch, defaultBranch], write: branch };
}

/** `acme-app-amd64.arm64`, `web-amd64` (target web): what one matrix job builds. */
function scopeBase(request: CacheRequest, withImage: boolean): string {
  const first = request.repositories[0];
  const image = first === undefined ? 'image' : first.slice(first.indexOf('/') + 1).replaceAll('/', '-');
  const platforms = (request.platforms.length > 0 ? request.platforms : [request.hostPlatform])
    .map((platform) => platform.replace(/^linux\//, '').replaceAll('/', '-'))
    .sort()
    .join('.');
  return [...(withImage ? [image] : []), ...(request.target === undefined ? [] : [request.target]), platforms].join(
    '-',
  );
}

/**
 * One key, valid as a registry tag and a gha scope: `[A-Za-z0-9_.-]`, at most 128 characters. A branch name that had
 * to be changed to fit gets a hash of the original, so `feat/a` and `feat-a` never share a cache.
 */
export function cacheKey(base: string, branch: string): string {
  const raw = `${base}-${branch}`;
  let key = raw.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  if (key !== raw || key.length > 128) {
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
    key = `${key.slice(0, 119)}-${hash}`;
  }
  return key;
}

/** The registry repository of a registry cache: beside the image, so its tag list stays clean. */
export function cacheRepository(request: Pick<CacheRequest, 'ref' | 'repositories'>): string | undefined {
  if (request.ref !== undefined) return request.ref;
  const first = request.repositories[0];
  if (first === undefined) return undefined;
  // Docker Hub allows two path levels only: `user/app` → `user/app-cache`.
  return first.startsWith('docker.io/') ? `${first}-cache` : `${first}/cache`;
}

function cacheEntries(
  kind: CacheKind,
  request: CacheRequest,
  readKeys: readonly string[],
  writeKey: string | undefined,
): { from: string[]; to: string[] } {
  const mode = `mode=${request.mode}`;
  switch (kind) {
    case 'none':
      return { from: [], to: [] };
    case 'gha':
      // The runner's URL and token reach BuildKit through buildx's environment (it reads ACTIONS_RUNTIME_TOKEN,
      // ACTIONS_RESULTS_URL, ACTIONS_CACHE_URL itself), never through a command line.
      return {
        from: readKeys.map((key) => `type=gha,scope=${key}`),
        to: writeKey === undefined ? [] : [`type=gha,scope=${writeKey},${mode},ignore-error=true`],
      };
    case 'registry': {
      const repository = cacheRepository(request) ?? '';
      return {
        from: readKeys.map((key) => `type=registry,ref=${repository}:${key}`),
        to:
          writeKey === undefined || !request.push
            ? []
            : [
                `type=registry,ref=${repository}:${writeKey},${mode},image-manifest=true,oci-mediatypes=true,ignore-error=true`,
              ],
      };
    }
    case 'inline':
      return {
        from: request.tags.map((tag) => `type=registry,ref=${tag}`),
        to: request.push ? ['type=inline'] : [],
      };
    case 'local': {
      const dir = request.ref ?? DEFAULT_LOCAL_DIR;
      return {
        from: readKeys.map((key) => `type=local,src=${dir}/${key}`),
        to: writeKey === undefined ? [] : [`type=local,dest=${dir}/${writeKey},${mode}`],
      };
    }
  }
}
