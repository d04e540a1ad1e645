/**
 * Whether to push, and why. `push: auto` pushes on every event but pull and merge requests (docker's own recipe,
 * `push: ${{ github.event_name != 'pull_request' }}`), and a fork's pull request gets no credentials anyway. Whether
 * there are credentials is not a reason to skip: a push event with none is an error before the build
 * (src/plan/credentials.ts), never a green job that published nothing.
 */
import type { CiContext, EventKind } from '../context/types.js';
import type { PushMode } from '../inputs/parse.js';
import type { PushDecision } from './types.js';

const EVENTS: Readonly<Record<EventKind, string>> = {
  push: 'a push to a branch',
  tag: 'a tag',
  schedule: 'a scheduled run',
  manual: 'a run started by hand or by the API',
  pr: 'a pull or merge request',
};

/** `repositories`: where the image would be pushed (from `images` and the references in `tags`). */
export function decidePush(mode: PushMode, ctx: CiContext, repositories: readonly string[]): PushDecision {
  if (mode === 'never') return { push: false, reason: 'push is false' };
  if (mode === 'always') return { push: true, reason: 'push is true' };
  if (repositories.length === 0) {
    return { push: false, reason: 'push is auto, and neither images nor tags name a repository to push to' };
  }
  if (ctx.pullRequest?.fromFork === true) {
    return { push: false, reason: 'push is auto and this is a pull request from a fork, which gets no credentials' };
  }
  if (ctx.event === 'pr') {
    return {
      push: false,
      reason: 'push is auto and this is a pull or merge request: built and scanned, not pushed (push: true pushes it)',
    };
  }
  return { push: true, reason: `push is auto and this is ${EVENTS[ctx.event]}` };
}
