/** The steps with side effects, each carrying out one part of the plan through the runner. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGISTRY_RETRIES, withRetries } from '../exec/retry.js';
import { CommandError, type Runner } from '../exec/runner.js';
import type { RegistryLogin } from '../inputs/login.js';
import type { Inputs } from '../inputs/parse.js';
import type { BuildPlan, Plan } from '../plan/types.js';
import type { Reporter } from '../platform/types.js';
import {
  buildArgs,
  createBuilderArgs,
  imagetoolsCreateArgs,
  inspectBuilderArgs,
  loginArgs,
  secretEnvName,
} from '../tools/buildx.js';
import { cacheUse, type CacheUse } from '../tools/progress.js';
import { parseBuildMetadata, platformDigests, type BuildMetadata } from '../tools/metadata.js';
import { binfmtInstallArgs, missingPlatforms, parseInspectPlatforms } from '../tools/platforms.js';
import type { CleanupStack } from './cleanup.js';
import type { Clock } from './clock.js';
import type { ScanTarget } from './scan.js';
import type { DockerEnv } from './docker-env.js';

export interface StepContext {
  runner: Runner;
  reporter: Reporter;
  cleanup: CleanupStack;
  docker: DockerEnv;
  cwd: string;
  /** the job's cancellation: nothing is retried after it */
  signal?: AbortSignal | undefined;
  /** durations and "still running" lines; the system's clock when not given */
  clock?: Clock | undefined;
}

/** A registry operation, retried with backoff when the registry fails for a moment (503, reset, stall). */
export function retrying<T>(step: StepContext, what: string, fn: () => Promise<T>): Promise<T> {
  return withRetries(what, fn, {
    ...REGISTRY_RETRIES,
    signal: step.signal,
    onRetry: (attempt, delayMs, error) => {
      const reason = error instanceof CommandError ? (error.stderrTail.split('\n').at(-1) ?? '') : String(error);
      step.reporter.warning(
        `${what}: attempt ${attempt} of ${REGISTRY_RETRIES.attempts} failed (${reason.trim()}); retrying in ${delayMs / 1000}s`,
      );
    },
  });
}

export async function login(step: StepContext, logins: readonly RegistryLogin[]): Promise<void> {
  for (const entry of logins) {
    await retrying(step, `logging in to ${entry.registry}`, () =>
      step.runner.run('docker', loginArgs(entry.registry, entry.username), {
        stdin: entry.password,
        env: step.docker.vars,
        quiet: true,
      }),
    );
    step.reporter.info(`logged in to ${entry.registry} as ${entry.username} (${entry.source})`);
  }
}

export interface Builder {
  name: string;
  /** created by this run (on the engine the Docker client talks to), not an existing one */
  created: boolean;
  /** the platforms it runs, when setting it up inspected it (an existing builder): QEMU's check needs no second look */
  platforms?: string[];
}

/** Creates the builder of the plan (or checks the existing one). */
export async function setUpBuilder(step: StepContext, plan: Plan): Promise<Builder> {
  const builder = plan.builder;
  if (builder.kind === 'existing') {
    const inspected = await step.runner.run('docker', inspectBuilderArgs(builder.name), {
      env: step.docker.vars,
      quiet: true,
    });
    return { name: builder.name, created: false, platforms: parseInspectPlatforms(inspected.stdout) };
  }
  let configFile: string | undefined;
  if (builder.config !== undefined) {
    configFile = join(step.docker.workDir, 'buildkitd.toml');
    writeFileSync(configFile, builder.config, { mode: 0o600 });
  }
  // Registered before it exists: a create that fails half-way still gets removed.
  step.cleanup.push({ kind: 'builder', name: builder.name, env: step.docker.vars });
  await step.runner.run('docker', createBuilderArgs(builder, configFile), { env: step.docker.vars });
  return { name: builder.name, created: true };
}

/** Installs QEMU handlers only for requested platforms the builder cannot run; says what it skipped and why. */
export async function setUpEmulation(
  step: StepContext,
  { name: builder, platforms: known, created }: Builder,
  platforms: readonly string[],
  binfmtImage: string,
  enginePlatform?: string,
) {
  if (platforms.length === 0) {
    step.reporter.info("QEMU: skipped, no platforms requested (the builder's own platform is built)");
    return;
  }
  if (created && enginePlatform !== undefined && platforms.every((platform) => platform === enginePlatform)) {
    step.reporter.info(
      `QEMU: skipped, ${enginePlatform} is the platform of this machine's engine, which runs the builder`,
    );
    return;
  }
  const inspect = async () =>
    parseInspectPlatforms(
      (await step.runner.run('docker', inspectBuilderArgs(builder), { env: step.docker.vars, quiet: true })).stdout,
    );
  const missing = missingPlatforms(platforms, known ?? (await inspect()));
  if (missing.length === 0) {
    step.reporter.info(`QEMU: skipped, builder ${builder} already runs ${platforms.join(', ')}`);
    return;
  }
  step.reporter.info(`QEMU: installing emulators for ${missing.join(', ')} with ${binfmtImage}`);
  await step.runner.run('docker', binfmtInstallArgs(binfmtImage, missing), { env: step.docker.vars });
  const still = missingPlatforms(platforms, await inspect());
  if (still.length > 0)
    throw new Error(`builder ${builder} still cannot build ${still.join(', ')} after installing QEMU`);
}

/**
 * One `buildx build` of `plan` (the build, or one platform's export): the secrets' values reach buildx through its
 * environment, under the names its `--secret` arguments give; the result is read from the metadata file.
 */
async function runBuild(
  step: StepContext,
  plan: BuildPlan,
  inputs: Inputs,
  builder: string,
  metadataFile: string,
  quiet: boolean,
): Promise<BuildMetadata & { cache: CacheUse }> {
  const secretEnv = Object.fromEntries(inputs.secrets.map((secret, index) => [secretEnvName(index), secret.value]));
  // A push that a registry broke off is built again: every layer is a cache hit by then.
  const { stderr } = await retrying(step, 'building and pushing', () =>
    step.runner.run('docker', buildArgs(plan, builder, metadataFile), {
      env: { ...step.docker.vars, ...secretEnv },
      cwd: step.cwd,
      quiet,
    }),
  );
  return { ...parseBuildMetadata(readFileSync(metadataFile, 'utf8')), cache: cacheUse(stderr) };
}

export async function build(
  step: StepContext,
  plan: Plan,
  inputs: Inputs,
  builder: string,
): Promise<BuildMetadata & { cache: CacheUse }> {
  const { cache } = plan;
  step.reporter.info(
    `cache: ${cache.kind} (${cache.reason})` +
      (cache.readKeys.length > 0 ? `; reads ${cache.readKeys.join(', ')}` : '') +
      (cache.writeKey === undefined ? '' : `; writes ${cache.writeKey}`),
  );
  if (cache.warning !== undefined) step.reporter.warning(cache.warning);
  const result = await runBuild(step, plan.build, inputs, builder, join(step.docker.workDir, 'metadata.json'), false);
  step.reporter.info(`cache: ${result.cache.cached} of ${result.cache.steps} build steps cached`);
  for (const failure of result.cache.failures)
    step.reporter.warning(`the layer cache failed, the build went on without it: ${failure}`);
  return result;
}

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

/** The platform a builder builds when none is asked for: the host's. */
export function nativePlatform(arch: string = process.arch): string {
  return `linux/${arch === 'x64' ? 'amd64' : arch}`;
}

/**
 * For a build that is not pushed, each platform written to an OCI layout of its own (cache hits after the build),
 * so that the gate scans every platform: Trivy's `--input` on a multi-platform layout would scan only the first.
 */
export async function exportPlatforms(
  step: StepContext,
  plan: Plan,
  inputs: Inputs,
  builder: string,
): Promise<ScanTarget[]> {
  const targets: ScanTarget[] = [];
  for (const platform of plan.platforms.length > 0 ? plan.platforms : [nativePlatform()]) {
    const slug = platform.replace(/\//g, '-');
    const dest = join(step.docker.workDir, `image-${slug}`);
    const metadataFile = join(step.docker.workDir, `metadata-${slug}.json`);
    const only: BuildPlan = {
      ...plan.build,
      platforms: plan.platforms.length > 0 ? [platform] : [],
      // A single-platform export has no index to annotate.
      annotations: plan.build.annotations.filter((annotation) => !annotation.startsWith('index')),
      // Attestations are not scanned; without them the layout holds the image manifest alone.
      provenance: 'false',
      sbom: 'false',
      // The build has just written the cache; the exports are hits in the builder, with nothing new to export.
      cacheTo: [],
      output: { kind: 'oci-archive', dest } as const,
    };
    const digest = (await runBuild(step, only, inputs, builder, metadataFile, true)).digest ?? '';
    targets.push({ platform, digest, source: { kind: 'archive', path: dest } });
  }
  return targets;
}

/** Attaches every tag of the plan to the pushed digest, one call per repository. */
export async function attachTags(step: StepContext, plan: Plan, builder: string, digest: string): Promise<void> {
  if (plan.build.output.kind !== 'push-by-digest') return;
  const done: string[] = [];
  for (const repository of plan.build.output.repositories) {
    const tags = plan.tags.filter((tag) => tag.startsWith(`${repository}:`));
    try {
      await retrying(step, `tagging ${repository}`, () =>
        step.runner.run('docker', imagetoolsCreateArgs(builder, tags, `${repository}@${digest}`), {
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
    done.push(`${repository} (${tags.map((tag) => tag.slice(repository.length + 1)).join(', ')})`);
  }
}
