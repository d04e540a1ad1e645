/**
 * GitLab CI: the predefined variables of a job, as one CiContext. Pure: the caller passes the environment.
 * https://docs.gitlab.com/ci/variables/predefined_variables/
 */
import type { CiContext, EventKind, PullRequest } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

function pipelineEvent(source: string, tag: string): EventKind {
  if (tag !== '') return 'tag';
  switch (source) {
    case 'push':
      return 'push';
    case 'merge_request_event':
    case 'external_pull_request_event':
      return 'pr';
    case 'schedule':
      return 'schedule';
    default:
      // web, api, trigger, pipeline, parent_pipeline, chat, ...
      return 'manual';
  }
}

export function gitlabContext(env: Env, fallbackDate: Date): CiContext {
  const get = (name: string): string => env[name] ?? '';
  const tag = get('CI_COMMIT_TAG');
  const source = get('CI_PIPELINE_SOURCE');
  const event = pipelineEvent(source, tag);
  const sha = get('CI_COMMIT_SHA');
  const branch = get('CI_COMMIT_BRANCH') || get('CI_COMMIT_REF_NAME');

  let pullRequest: PullRequest | undefined;
  let ref: string;
  if (event === 'pr' && /^\d+$/.test(get('CI_MERGE_REQUEST_IID'))) {
    pullRequest = {
      number: Number(get('CI_MERGE_REQUEST_IID')),
      // Set in merged-results pipelines, where CI_COMMIT_SHA is the merge commit.
      headSha: get('CI_MERGE_REQUEST_SOURCE_BRANCH_SHA') || sha,
      headRef: get('CI_MERGE_REQUEST_SOURCE_BRANCH_NAME') || get('CI_COMMIT_REF_NAME'),
      baseRef: get('CI_MERGE_REQUEST_TARGET_BRANCH_NAME'),
      fromFork:
        get('CI_MERGE_REQUEST_SOURCE_PROJECT_ID') !== '' &&
        get('CI_MERGE_REQUEST_SOURCE_PROJECT_ID') !== get('CI_MERGE_REQUEST_PROJECT_ID'),
    };
    ref = `refs/merge-requests/${pullRequest.number}/head`;
  } else if (tag !== '') {
    ref = `refs/tags/${tag}`;
  } else {
    ref = branch === '' ? '' : `refs/heads/${branch}`;
  }

  const timestamp = Date.parse(get('CI_COMMIT_TIMESTAMP'));
  return {
    platform: 'gitlab',
    event: pullRequest === undefined && event === 'pr' ? 'manual' : event,
    eventName: source,
    ref,
    sha,
    pullRequest,
    baseRef: pullRequest?.baseRef ?? '',
    repository: {
      name: get('CI_PROJECT_NAME'),
      url: get('CI_PROJECT_URL'),
      description: get('CI_PROJECT_DESCRIPTION'),
      license: undefined,
      defaultBranch: get('CI_DEFAULT_BRANCH') || undefined,
    },
    commitDate: Number.isNaN(timestamp) ? fallbackDate : new Date(timestamp),
  };
}
