/** The one build of the plan, and, for a build that is not pushed, each platform exported for the gates. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue } from '../../inputs/values.js';
import type { BuildPlan, Plan } from '../../plan/types.js';
import { buildArgs, secretEnvName } from '../../tools/buildx.js';
import { parseBuildMetadata, type BuildMetadata } from '../../tools/metadata.js';
import { cacheUse, type CacheUse } from '../../tools/progress.js';
import { retrying, type ScanTarget, type StepContext } from '../step.js';

/**
 * One `buildx build` of `plan` (the build, or one platform's export): the secrets' values reach buildx through its
 * environment, under the names its `--secret` arguments give; the result is read from the metadata file.
 */
async function runBuild(
  step: StepContext,
  plan: BuildPlan,
  secrets: readonly KeyValue[],
  builder: string,
  metadataFile: string,
  quiet: boolean,
): Promise<BuildMetadata & { cache: CacheUse }> {
  const secretEnv = Object.fromEntries(secrets.map((secret, index) => [secretEnvName(index), secret.value]));
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
  secrets: readonly KeyValue[],
  builder: string,
): Promise<BuildMetadata & { cache: CacheUse }> {
  const { cache } = plan;
  step.reporter.info(
    `cache: ${cache.kind} (${cache.reason})` +
      (cache.readKeys.length > 0 ? `; reads ${cache.readKeys.join(', ')}` : '') +
      (cache.writeKey === undefined ? '' : `; writes ${cache.writeKey}`),
  );
  if (cache.warning !== undefined) step.reporter.warning(cache.warning);
  const result = await runBuild(step, plan.build, secrets, builder, join(step.docker.workDir, 'metadata.json'), false);
  step.reporter.info(`cache: ${result.cache.cached} of ${result.cache.steps} build steps cached`);
  for (const failure of result.cache.failures)
    step.reporter.warning(`the layer cache failed, the build went on without it: ${failure}`);
  return result;
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
  secrets: readonly KeyValue[],
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
    const digest = (await runBuild(step, only, secrets, builder, metadataFile, true)).digest ?? '';
    targets.push({ platform, digest, source: { kind: 'archive', path: dest } });
  }
  return targets;
}
