/** What `docker-build plan` prints: the plan as one JSON object, with the exact buildx command line; no secrets. */
import { references, type Plan } from '../plan/types.js';
import { buildArgs } from '../tools/buildx.js';
import { checkArgs } from '../tools/check.js';
import { VERSION } from '../version.js';

/** What `plan` prints: one JSON object, no secrets. */
export function planJson(plan: Plan): Record<string, unknown> {
  const builder = plan.builder.name;
  return {
    platform: plan.platform,
    operation: plan.operation,
    version: plan.version ?? null,
    tags: plan.tags.length > 0 ? references(plan.tags) : plan.bareTags,
    tagGroups: plan.tags,
    labels: Object.fromEntries(plan.labels.map((label) => [label.key, label.value])),
    annotations: plan.annotations,
    platforms: plan.platforms,
    push: plan.push.push,
    pushReason: plan.push.reason,
    ...(plan.push.blocked === undefined ? {} : { pushBlocked: plan.push.blocked }),
    logins: plan.logins,
    credentials: plan.credentials.map(({ registry, push, source }) => ({ registry, push, source })),
    builder: plan.builder,
    cache: { ...plan.cache, writeKey: plan.cache.writeKey ?? null, warning: plan.cache.warning ?? null },
    check:
      plan.check === undefined
        ? null
        : {
            failOn: plan.check.failOn,
            dockerfile: plan.check.dockerfile,
            argv: ['docker', ...checkArgs(plan.check.build, builder)],
          },
    test:
      plan.test === undefined
        ? null
        : { ...plan.test, env: plan.test.env.map((entry) => entry.key), warning: plan.test.warning ?? null },
    // Promote and merge build nothing.
    build:
      plan.operation.kind === 'build' || plan.operation.kind === 'digest'
        ? { argv: ['docker', ...buildArgs(plan.build, builder, '<metadata-file>')] }
        : null,
    proxy: plan.proxy,
    dockerBuild: VERSION,
  };
}
