/** The builder of the plan (created, or an existing one checked), and QEMU only for platforms it cannot run. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { CommandError } from '../../exec/runner.js';
import type { Plan } from '../../plan/types.js';
import {
  appendNodeArgs,
  createBuilderArgs,
  createContextArgs,
  inspectBuilderArgs,
  type BuilderFiles,
} from '../../tools/buildx.js';
import { startBuildkitd } from './buildkitd.js';
import { probeEndpoint } from './probe.js';
import { binfmtInstallArgs, missingPlatforms, parseInspectPlatforms } from '../../tools/platforms.js';
import type { Builder, StepContext } from '../step.js';

/** The PEM texts of a remote builder's TLS inputs given as text (a secret's included), by input. */
export interface TlsTexts {
  caCert?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/**
 * Creates the builder of the plan (or checks the existing one): for `buildkitd`, the daemon first; for a remote one,
 * its TLS files (PEM text written to the run's private directory); then every node. A builder that does not start
 * (an endpoint that does not answer, certificates it refuses) fails here, naming the driver and the endpoint, before
 * anything is built or pushed.
 */
export async function setUpBuilder(step: StepContext, plan: Plan, tlsTexts: TlsTexts = {}): Promise<Builder> {
  const builder = plan.builder;
  if (builder.kind === 'existing') {
    const inspected = await step.runner.run('docker', inspectBuilderArgs(builder.name), {
      env: step.docker.vars,
      quiet: true,
    });
    return { name: builder.name, created: false, platforms: parseInspectPlatforms(inspected.stdout) };
  }
  const files: BuilderFiles = { ...tlsFiles(step, builder, tlsTexts) };
  if (builder.config !== undefined) {
    files.config = join(step.docker.workDir, 'buildkitd.toml');
    writeFileSync(files.config, builder.config, { mode: 0o600 });
  }
  const daemon = builder.driver === 'buildkitd' ? await startBuildkitd(step, files.config) : undefined;
  const context = builder.driver === 'docker-container' ? await tlsContext(step, builder.name) : undefined;
  // Registered before it exists: a create that fails half-way still gets removed.
  step.cleanup.push({ kind: 'builder', name: builder.name, env: step.docker.vars });
  const where = daemon?.endpoint ?? context ?? builder.nodes[0]?.endpoint;
  await started(builder.driver, where, files, () =>
    step.runner.run('docker', createBuilderArgs(builder, builder.driver === 'buildkitd' ? {} : files, where), {
      env: step.docker.vars,
    }),
  );
  for (const [index, node] of builder.nodes.entries()) {
    if (index === 0) continue;
    await started(builder.driver, node.endpoint ?? `node ${index}`, files, () =>
      step.runner.run('docker', appendNodeArgs(builder, index, files), { env: step.docker.vars }),
    );
  }
  // A builder of several nodes, or one elsewhere, says what it runs: QEMU's check needs no second look.
  return {
    name: builder.name,
    created: true,
    driver: builder.driver,
    ...(builder.driver === 'docker-container' ? {} : await inspected(step, builder.name)),
  };
}

async function inspected(step: StepContext, name: string): Promise<{ platforms: string[] }> {
  const result = await step.runner.run('docker', inspectBuilderArgs(name), { env: step.docker.vars, quiet: true });
  return { platforms: parseInspectPlatforms(result.stdout) };
}

/**
 * A builder's start, its failure said with the driver and the endpoint, then, for one over TCP, why it did not answer
 * (probeEndpoint: buildx says only that its deadline passed), then buildx's own words.
 */
async function started(
  driver: string,
  where: string | undefined,
  files: BuilderFiles,
  create: () => Promise<unknown>,
): Promise<void> {
  try {
    await create();
  } catch (error) {
    const said = (error instanceof CommandError ? error.stderrTail : String(error)).trim();
    const why = where?.startsWith('tcp://') === true ? await probeEndpoint(where, files) : undefined;
    throw new Error(
      `the ${driver} builder${where === undefined ? '' : ` at ${where}`} did not start: ` +
        (why === undefined ? said : `${why}\nbuildx said: ${said}`),
      { cause: error },
    );
  }
}

/**
 * The TLS files of a remote builder: a path is checked (a missing file names its input), PEM text is written to the
 * run's private directory (removed with it at the end), readable by the job's user only.
 */
function tlsFiles(
  step: StepContext,
  builder: Extract<Plan['builder'], { kind: 'create' }>,
  texts: TlsTexts,
): BuilderFiles {
  const files: BuilderFiles = {};
  const names = {
    caCert: ['tls-ca-cert', 'ca.pem'],
    cert: ['tls-cert', 'cert.pem'],
    key: ['tls-key', 'key.pem'],
  } as const;
  for (const which of ['caCert', 'cert', 'key'] as const) {
    const given = builder.tls[which];
    if (given === undefined) continue;
    const [input, file] = names[which];
    if (given.kind === 'path') {
      const path = resolve(step.cwd, given.path);
      if (!existsSync(path)) throw new InputError(input, given.path, 'no such file');
      files[which] = path;
      continue;
    }
    const text = texts[which];
    if (text === undefined) throw new Error(`${input}: its PEM text did not reach the run`);
    const dir = join(step.docker.workDir, 'tls');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, file);
    writeFileSync(path, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });
    files[which] = path;
  }
  return files;
}

/** Installs QEMU handlers only for requested platforms the builder cannot run; says what it skipped and why. */
export async function setUpEmulation(
  step: StepContext,
  { name: builder, platforms: known, created, driver }: Builder,
  platforms: readonly string[],
  binfmtImage: string,
  enginePlatform?: string,
) {
  if (platforms.length === 0) {
    step.reporter.info("QEMU: skipped, no platforms requested (the builder's own platform is built)");
    return;
  }
  const onEngine = driver === undefined || driver === 'docker-container';
  if (
    created &&
    onEngine &&
    enginePlatform !== undefined &&
    platforms.every((platform) => platform === enginePlatform)
  ) {
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
  if (!onEngine) {
    // Emulators are installed through the job's Docker engine, on the machine that runs its containers: not where a
    // remote, kubernetes or job-started BuildKit runs.
    throw new Error(
      `builder ${builder} (driver ${driver}) cannot build ${missing.join(', ')}: register QEMU on the machine ` +
        'that runs BuildKit (binfmt_misc), or append a node that runs them natively (append)',
    );
  }
  step.reporter.info(`QEMU: installing emulators for ${missing.join(', ')} with ${binfmtImage}`);
  await step.runner.run('docker', binfmtInstallArgs(binfmtImage, missing), { env: step.docker.vars });
  const still = missingPlatforms(platforms, await inspect());
  if (still.length > 0)
    throw new Error(`builder ${builder} still cannot build ${still.join(', ')} after installing QEMU`);
}

/**
 * A Docker context for the engine of DOCKER_HOST when the client reaches it over TCP with TLS (Docker-in-Docker on
 * GitLab): buildx creates a docker-container builder there only through a context. Removed at the end, after the
 * builder on it.
 */
async function tlsContext(step: StepContext, builderName: string): Promise<string | undefined> {
  const engine = step.docker.tlsEngine;
  if (engine === undefined) return undefined;
  // buildx refuses a builder named as a context
  const name = `${builderName}-engine`;
  step.cleanup.push({ kind: 'context', name, env: step.docker.vars });
  await step.runner.run('docker', createContextArgs(name, engine), { env: step.docker.vars, quiet: true });
  step.reporter.info(
    `builder: on ${engine.host} over TLS (certificates in ${dirname(engine.ca)}), through context ${name}`,
  );
  return name;
}
