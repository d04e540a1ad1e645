/** The check gate's part of the plan, from the inputs: what fails it, and the Dockerfile as the build reads it. */
import { posix } from 'node:path';
import type { Inputs } from '../inputs/parse.js';
import type { CheckPlan } from './types.js';

/** Undefined when `check` is false. */
export function planCheck(inputs: Inputs): CheckPlan | undefined {
  if (!inputs.check) return undefined;
  return {
    failOn: inputs.checkFailOn,
    dockerfile: dockerfilePath(inputs.context, inputs.file),
    build: {
      context: inputs.context,
      file: inputs.file,
      target: inputs.target,
      platforms: inputs.platforms,
      buildArgs: inputs.buildArgs,
      buildContexts: inputs.buildContexts,
    },
  };
}

/**
 * The Dockerfile as a path relative to the working directory, as GitHub's annotations and GitLab's code quality report
 * want it: `file` as given (buildx reads it relative to the working directory), else `Dockerfile` in the context.
 * `./app/Dockerfile` → `app/Dockerfile`.
 */
export function dockerfilePath(context: string, file: string | undefined): string {
  // A remote context (a Git or tarball URL) holds its Dockerfile at its root: there is no local path to name.
  const inContext = /^[a-z]+:\/\/|^git@/i.test(context) ? 'Dockerfile' : posix.join(context, 'Dockerfile');
  return posix.normalize(file ?? inContext).replace(/^\.\//, '');
}
