/**
 * What docker-build knows about the CI run, the same shape on every platform. Each platform adapter (GitHub, GitLab,
 * local git) turns its environment into one CiContext; the pure core (tags, labels, plan) reads nothing else.
 */

export type Platform = 'github' | 'gitlab' | 'local';

/**
 * The kind of event, across platforms:
 * - push: a branch was pushed (GitHub push to refs/heads/*, GitLab branch pipeline, local command on a branch)
 * - tag: a tag was pushed (GitHub push to refs/tags/*, GitLab tag pipeline)
 * - pr: a pull request (GitHub pull_request / pull_request_target) or merge request pipeline (GitLab)
 * - schedule: a scheduled run
 * - manual: anything else started by a person or an API (workflow_dispatch, GitLab web/api/trigger, release, ...)
 */
export type EventKind = 'push' | 'tag' | 'pr' | 'schedule' | 'manual';

export interface RepositoryInfo {
  /** Short name, for the `title` label: `Hello-World`. */
  name: string;
  /** Web URL, for the `url` and `source` labels: `https://github.com/octocat/Hello-World`. */
  url: string;
  /** May be empty. */
  description: string;
  /** SPDX identifier when the platform knows it (GitHub's API does), else undefined. */
  license: string | undefined;
  /** The default branch, when known: `main`. */
  defaultBranch: string | undefined;
}

export interface PullRequest {
  /** GitHub's PR number or GitLab's merge request IID. */
  number: number;
  /** The head commit of the PR/MR branch (not the merge commit CI checks out on GitHub). */
  headSha: string;
  /** The source branch name. */
  headRef: string;
  /** The target branch name. */
  baseRef: string;
  /** The head branch lives in another repository (a fork): its pipeline gets no secrets and must not push. */
  fromFork: boolean;
}

export interface CiContext {
  platform: Platform;
  event: EventKind;
  /** The platform's own name for the event: GitHub's GITHUB_EVENT_NAME, GitLab's CI_PIPELINE_SOURCE, `local`. */
  eventName: string;
  /**
   * The full git ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/15/merge` (GitHub pull request),
   * `refs/merge-requests/15/head` (GitLab merge request). May be empty (GitHub's null/empty events).
   */
  ref: string;
  /** The commit being built (on GitHub pull requests, the merge commit). May be empty. */
  sha: string;
  pullRequest: PullRequest | undefined;
  /**
   * metadata-action's `{{base_ref}}`: for a tag push, the branch the tag was pushed from when the platform says
   * (GitHub's payload `base_ref`, without `refs/heads/`); for a pull request, its target branch; else empty.
   */
  baseRef: string;
  repository: RepositoryInfo;
  /** The commit's date (committer date), for `{{commit_date}}`. */
  commitDate: Date;
}
