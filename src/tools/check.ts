/**
 * The argument list of BuildKit's Dockerfile checks (`docker buildx build --call=check,format=json`), built apart from
 * running it, and how to tell a builder that has no checks. Values go as `--flag=value`, one argv element each.
 */
import type { CheckPlan } from '../plan/types.js';

/**
 * The checks of the Dockerfile the build reads: the same context, file, target, platforms, build arguments (a rule
 * such as UndefinedArgInFrom depends on them) and named contexts (a FROM may name one). No secret, SSH agent, cache,
 * label or output: the checks run no instruction and export nothing. The JSON report goes to stdout, BuildKit's
 * progress to stderr.
 */
export function checkArgs(check: CheckPlan['build'], builder: string): string[] {
  const optional = (flag: string, value: string | undefined) => (value === undefined ? [] : [`--${flag}=${value}`]);
  return [
    'buildx',
    'build',
    `--builder=${builder}`,
    '--call=check,format=json',
    '--progress=plain',
    ...optional('file', check.file),
    ...optional('target', check.target),
    ...(check.platforms.length > 0 ? [`--platform=${check.platforms.join(',')}`] : []),
    ...check.buildArgs.map((arg) => `--build-arg=${arg.key}=${arg.value}`),
    ...check.buildContexts.map((ctx) => `--build-context=${ctx.key}=${ctx.value}`),
    '--',
    check.context,
  ];
}

/**
 * buildx's answer when the builder's BuildKit has no Dockerfile checks (the `frontend.lint` request came with BuildKit
 * 0.14): buildx then tries the `docker/dockerfile:1.8.1` frontend image instead, and when that cannot be had either (no
 * internet) the builder's own frontend refuses: "failed to solve with frontend dockerfile.v0: unsupported request
 * frontend.lint" (buildx v0.36.1 on the `docker` driver of Docker Engine 20.10).
 */
export function checksUnsupported(stderr: string): boolean {
  return stderr.includes('unsupported request frontend.lint');
}
