/** The builder of the plan (created, or an existing one checked), and QEMU only for platforms it cannot run. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import { createBuilderArgs, inspectBuilderArgs } from '../../tools/buildx.js';
import { binfmtInstallArgs, missingPlatforms, parseInspectPlatforms } from '../../tools/platforms.js';
import type { Builder, StepContext } from '../step.js';

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
