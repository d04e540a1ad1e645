/** The tags, attached to the pushed digest once every gate has passed: one call per repository. */
import type { Plan } from '../../plan/types.js';
import { imagetoolsCreateArgs } from '../../tools/buildx.js';
import { retrying, type StepContext } from '../step.js';
import { taggedDigest } from './sources.js';

/**
 * Attaches every tag of the plan to `source` (`repository@sha256:...`), one call per repository: in the source's own
 * repository a tag is a new name for the digest; in another repository or registry, buildx copies the image (every
 * platform and attestation) by digest first, so the digest stays the same. A promote checks the tags first: a
 * repository whose tags all point at the digest already is left as it is (promoting twice changes nothing).
 */
export async function attachTags(step: StepContext, plan: Plan, builder: string, source: string): Promise<void> {
  const digest = source.slice(source.indexOf('@') + 1);
  const done: string[] = [];
  for (const { repository, tags } of plan.tags) {
    const refs = tags.map((tag) => `${repository}:${tag}`);
    if (plan.operation.kind === 'promote') {
      const current = await Promise.all(refs.map((ref) => taggedDigest(step, builder, ref)));
      if (current.every((value) => value === digest)) {
        step.reporter.info(`${repository}: ${tags.join(', ')} already point at ${digest}, nothing to do`);
        done.push(`${repository} (${tags.join(', ')})`);
        continue;
      }
    }
    try {
      await retrying(step, `tagging ${repository}`, () =>
        step.runner.run('docker', imagetoolsCreateArgs(builder, refs, source), {
          env: step.docker.vars,
        }),
      );
    } catch (error) {
      // Say exactly where the tags are: a tag is never half-moved, but one registry may have them and another not.
      const where = done.length === 0 ? 'no registry got its tags' : `tagged before it: ${done.join('; ')}`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`tagging ${repository} failed, its tags were not attached (${where}): ${reason}`, {
        cause: error,
      });
    }
    done.push(`${repository} (${tags.join(', ')})`);
  }
}
