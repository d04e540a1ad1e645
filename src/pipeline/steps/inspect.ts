/** What the registry holds for the pushed digest: each platform's image manifest. */
import { platformDigests } from '../../tools/metadata.js';
import { retrying, type StepContext } from '../step.js';

/** Platform → digest of what was pushed, as the registry serves it. */
export async function pushedPlatformDigests(
  step: StepContext,
  builder: string,
  repository: string,
  digest: string,
  fallbackPlatform: string,
): Promise<Record<string, string>> {
  const { stdout } = await retrying(step, `reading ${repository}@${digest}`, () =>
    step.runner.run(
      'docker',
      ['buildx', 'imagetools', 'inspect', `--builder=${builder}`, '--raw', `${repository}@${digest}`],
      { env: step.docker.vars, quiet: true },
    ),
  );
  return platformDigests(stdout, digest, fallbackPlatform);
}
