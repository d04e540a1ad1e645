/** Whether to push, and why: `push: auto` explains itself in the log instead of failing a fork's pull request. */
import type { CiContext } from '../context/types.js';
import type { PushMode } from '../inputs/parse.js';
import type { PushDecision } from './types.js';
import { registriesOf } from './registries.js';

export function decidePush(
  mode: PushMode,
  ctx: CiContext,
  images: readonly string[],
  loggedIn: readonly string[],
): PushDecision {
  if (mode === 'never') return { push: false, reason: 'push is false' };
  if (mode === 'always') return { push: true, reason: 'push is true' };
  if (images.length === 0) return { push: false, reason: 'push is auto and images is empty' };
  if (ctx.pullRequest?.fromFork === true) {
    return { push: false, reason: 'push is auto and this is a pull request from a fork, which gets no credentials' };
  }
  // docker's own recipe (`push: ${{ github.event_name != 'pull_request' }}`): a pull or merge request is built and
  // scanned, and its image is not pushed unless asked.
  if (ctx.event === 'pr') {
    return {
      push: false,
      reason: 'push is auto and this is a pull or merge request: built and scanned, not pushed (push: true pushes it)',
    };
  }
  const missing = registriesOf(images).filter((registry) => !loggedIn.includes(registry));
  if (missing.length > 0) {
    return { push: false, reason: `push is auto and there are no credentials for ${missing.join(', ')}` };
  }
  return { push: true, reason: 'push is auto and there are credentials for every registry' };
}
