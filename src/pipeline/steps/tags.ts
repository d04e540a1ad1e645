/** The tags, attached to the pushed digest once every gate has passed: one call per repository. */
import type { Plan } from '../../plan/types.js';
import { imagetoolsCreateArgs } from '../../tools/buildx.js';
import { retrying, type StepContext } from '../step.js';

/** Attaches every tag of the plan to the pushed digest, one call per repository. */
export async function attachTags(step: StepContext, plan: Plan, builder: string, digest: string): Promise<void> {
  if (plan.build.output.kind !== 'push-by-digest') return;
  const done: string[] = [];
  for (const { repository, tags } of plan.tags) {
    const refs = tags.map((tag) => `${repository}:${tag}`);
    try {
      await retrying(step, `tagging ${repository}`, () =>
        step.runner.run('docker', imagetoolsCreateArgs(builder, refs, `${repository}@${digest}`), {
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
