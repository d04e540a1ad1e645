/**
 * GitHub Actions' environment as a CiContext: GITHUB_* variables, the event payload (the JSON file GITHUB_EVENT_PATH
 * names) and the repository's REST API answer, all passed in as data; reading them is the edge's job.
 * Follows docker/metadata-action's reading of the same data, including its pull_request_target rule (the ref is the
 * PR's `refs/pull/N/merge`, not the base branch GitHub sets).
 */
import type { CiContext, EventKind, PullRequest, RepositoryInfo } from './types.js';

/** The fields of GitHub's `GET /repos/{owner}/{repo}` answer that the context uses. */
export interface GithubRepo {
  name: string;
  html_url: string;
  description?: string | null | undefined;
  license?: { spdx_id?: string | null | undefined } | null | undefined;
  default_branch?: string | null | undefined;
}

export type GithubEnv = Readonly<Record<string, string | undefined>>;

/**
 * @param repo the API answer; undefined (no token, API error) falls back to the payload's `repository`, then to
 *   GITHUB_REPOSITORY and GITHUB_SERVER_URL.
 * @param fallbackDate the commit date when the payload has none (the edge passes its clock reading).
 */
export function githubContext(
  env: GithubEnv,
  payload: unknown,
  repo: GithubRepo | undefined,
  fallbackDate: Date,
): CiContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const sha = env.GITHUB_SHA ?? '';
  const isPr = eventName === 'pull_request' || eventName === 'pull_request_target';
  const pullRequest = isPr ? pullRequestOf(env, payload) : undefined;
  // https://github.community/t/113526: pull_request_target runs on the base branch's ref; the tags must name the PR.
  const ref =
    eventName === 'pull_request_target' && pullRequest !== undefined
      ? `refs/pull/${pullRequest.number}/merge`
      : (env.GITHUB_REF ?? '');
  return {
    platform: 'github',
    event: eventKind(eventName, ref),
    eventName,
    ref,
    sha,
    pullRequest,
    baseRef: baseRefOf(ref, payload, pullRequest),
    repository: repositoryOf(env, payload, repo),
    commitDate: commitDateOf(payload, sha) ?? fallbackDate,
  };
}

function eventKind(eventName: string, ref: string): EventKind {
  switch (eventName) {
    case 'push':
      if (ref.startsWith('refs/tags/')) return 'tag';
      return ref.startsWith('refs/heads/') ? 'push' : 'manual';
    case 'pull_request':
    case 'pull_request_target':
      return 'pr';
    case 'schedule':
      return 'schedule';
    default:
      return 'manual';
  }
}

function pullRequestOf(env: GithubEnv, payload: unknown): PullRequest | undefined {
  const pr = field(payload, 'pull_request');
  const number = numberField(payload, 'number') ?? numberField(pr, 'number') ?? refNumber(env.GITHUB_REF ?? '');
  if (number === undefined) return undefined;
  return {
    number,
    headSha: stringField(field(pr, 'head'), 'sha') ?? '',
    headRef: stringField(field(pr, 'head'), 'ref') ?? env.GITHUB_HEAD_REF ?? '',
    baseRef: stringField(field(pr, 'base'), 'ref') ?? env.GITHUB_BASE_REF ?? '',
    fromFork: isFork(pr),
  };
}

/** The head repository differs from the base one; a null head repository is a deleted fork. */
function isFork(pr: unknown): boolean {
  const headRepo = field(field(pr, 'head'), 'repo');
  if (headRepo === null) return true;
  const head = stringField(headRepo, 'full_name');
  const base = stringField(field(field(pr, 'base'), 'repo'), 'full_name');
  return head !== undefined && base !== undefined && head !== base;
}

function refNumber(ref: string): number | undefined {
  const found = /^refs\/pull\/(\d+)\//.exec(ref);
  return found?.[1] === undefined ? undefined : Number(found[1]);
}

function baseRefOf(ref: string, payload: unknown, pullRequest: PullRequest | undefined): string {
  if (ref.startsWith('refs/tags/')) {
    return (stringField(payload, 'base_ref') ?? '').replace(/^refs\/heads\//, '');
  }
  if (ref.startsWith('refs/pull/')) return pullRequest?.baseRef ?? '';
  return '';
}

function repositoryOf(env: GithubEnv, payload: unknown, repo: GithubRepo | undefined): RepositoryInfo {
  const source = repo ?? field(payload, 'repository');
  const slug = env.GITHUB_REPOSITORY ?? '';
  const fromEnv = slug === '' ? '' : `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${slug}`;
  return {
    name: stringField(source, 'name') ?? slug.split('/').pop() ?? '',
    url: stringField(source, 'html_url') ?? fromEnv,
    description: stringField(source, 'description') ?? '',
    license: stringField(field(source, 'license'), 'spdx_id'),
    defaultBranch: stringField(source, 'default_branch'),
  };
}

/** The pushed commit's date: head_commit, else the commit of `sha` in `commits`, else the last of `commits`. */
function commitDateOf(payload: unknown, sha: string): Date | undefined {
  const fromHead = date(stringField(field(payload, 'head_commit'), 'timestamp'));
  if (fromHead !== undefined) return fromHead;
  const commits = field(payload, 'commits');
  if (!Array.isArray(commits)) return undefined;
  const list: unknown[] = commits;
  const commit = list.find((entry) => stringField(entry, 'id') === sha) ?? list[list.length - 1];
  return date(stringField(commit, 'timestamp'));
}

function date(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === 'string' ? found : undefined;
}

function numberField(value: unknown, key: string): number | undefined {
  const found = field(value, key);
  return typeof found === 'number' && Number.isInteger(found) ? found : undefined;
}
