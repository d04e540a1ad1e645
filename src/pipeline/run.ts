/**
 * The pipeline: log in, set up the builder and QEMU, build once and push by digest, scan that digest on every
 * platform, and attach the tags only when the gate passes; and the outputs. Every step is a log group with its time;
 * whatever the run created is on the cleanup stack, unwound by the caller on every exit path.
 */
import { resolve } from 'node:path';
import type { RegistryLogin } from '../inputs/login.js';
import type { Inputs } from '../inputs/parse.js';
import type { Plan } from '../plan/types.js';
import { build, exportPlatforms } from './steps/build.js';
import { setUpBuilder, setUpEmulation } from './steps/builder.js';
import { pushedPlatformDigests } from './steps/inspect.js';
import { login } from './steps/login.js';
import { attachTags } from './steps/tags.js';
import { ensureTrivy } from './steps/trivy.js';
import type { StepContext } from './step.js';
import { repositoryOf } from '../plan/plan.js';
import { dbSources, resolveIgnoreFile, scanGate, type DbReadiness, type GateOutcome } from './gates/scan.js';
import { startHeld, type HeldStep } from './held.js';
import { systemClock } from './clock.js';
import { dbWaiting } from '../scan/progress.js';
import type { JobCache } from '../platform/types.js';
import { prepareDb, saveDb } from './steps/trivy-db.js';

/** What the pipeline gets from the machine it runs on. */
export interface Host {
  /** the runner's tool cache, where there is one (GitHub): where a verified Trivy is kept */
  toolCache: string | undefined;
  /** a cache that outlives the job, for Trivy's database (GitHub's Actions cache), when there is one */
  jobCache: JobCache | undefined;
  /** Trivy's cache directory */
  trivyCacheDir: string;
  /**
   * This machine's platform when the Docker engine is this machine's too (no DOCKER_HOST, or a unix socket): a
   * builder created on it runs that platform natively, so building only it needs no look for QEMU.
   */
  enginePlatform?: string;
  now: () => Date;
}

export interface Outputs {
  /** the layer cache: its kind, the keys read and written, and how many build steps came from it */
  cache: { kind: string; read: string[]; write: string | null; steps: number; cached: number };
  scanResult: 'passed' | 'failed' | 'skipped';
  scanCounts: Record<string, Record<string, number>>;
  reports: Record<string, string>;
  digest: string;
  platformDigests: Record<string, string>;
  image: string;
  tags: string[];
  labels: string[];
  annotations: string[];
  version: string;
  metadata: string;
  imageid: string;
}

export interface StepTime {
  step: string;
  seconds: number;
}

/**
 * A run that failed after it started: the step (log group) that failed, when it was one, and the steps' times so far,
 * for the job summary. `cause` is the error itself, whose kind decides the exit code.
 */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';

  constructor(
    readonly step: string | undefined,
    override readonly cause: unknown,
    readonly times: readonly StepTime[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export async function runPipeline(
  step: StepContext,
  plan: Plan,
  inputs: Inputs,
  logins: readonly RegistryLogin[],
  host: Host,
): Promise<{ outputs: Outputs; times: StepTime[]; failure: string | undefined; scanSummary: string }> {
  const times: StepTime[] = [];
  const timed = async <T>(title: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await step.reporter.group(title, fn);
    } catch (error) {
      throw error instanceof PipelineError ? error : new PipelineError(title, error, times);
    } finally {
      times.push({ step: title, seconds: (performance.now() - started) / 1000 });
    }
  };
  /**
   * The gate, then its verdict and tables outside its section: GitLab collapses sections, and a failed job's log must
   * show why at once (GitHub's log and a terminal read the same).
   */
  const judged = async (run: () => Promise<GateOutcome>): Promise<GateOutcome> => {
    const outcome = await timed('Scan gate', run);
    for (const line of outcome.text.trimEnd().split('\n')) step.reporter.info(line);
    return outcome;
  };

  const decision = plan.push.push ? `pushing: ${plan.push.reason}` : `not pushing: ${plan.push.reason}`;
  if (plan.push.warn === true) step.reporter.warning(decision);
  else step.reporter.info(decision);
  for (const credential of plan.credentials) {
    if (credential.source !== 'none') step.reporter.info(`credential for ${credential.registry}: ${credential.source}`);
  }
  const scanning = inputs.scan;
  // Ignore files are read now: a missing or unparsable one is a bad input, reported before anything is built.
  const ignoreFile = scanning ? resolveIgnoreFile(step.cwd, inputs.trivyignores, step.docker.workDir) : undefined;
  // Trivy is checked (or installed) while the logins and the builder's start go on; a missing or wrong one fails the
  // gate before anything is built or pushed.
  const trivyCheck = scanning
    ? startHeld(step, (held) => ensureTrivy(held, inputs.trivyVersion, host.toolCache))
    : undefined;
  let dbFetch: HeldStep<DbReadiness> | undefined;
  let readiness: DbReadiness | undefined;
  /**
   * The database's lines in a group of their own, when the gate is about to use it (it was fetched meanwhile); while
   * the gate still waits for it, a line every `progressMs` says so (its own lines come when it is done).
   */
  const dbShown = async (): Promise<DbReadiness | undefined> => {
    const fetch = dbFetch;
    if (fetch === undefined || readiness !== undefined) return readiness;
    const clock = step.clock ?? systemClock;
    readiness = await timed('Trivy database', async () => {
      const started = clock.now();
      const stop = clock.every(clock.progressMs, () => {
        step.reporter.info(dbWaiting(clock.now() - started));
      });
      try {
        return await fetch.shown();
      } finally {
        stop();
      }
    });
    return readiness;
  };
  try {
    if (logins.length > 0) await timed('Log in to registries', () => login(step, logins));
    // The vulnerability database is fetched while the image builds (after the logins: a mirror may need them), its
    // log held back from the build's group.
    if (trivyCheck !== undefined && inputs.scanners.includes('vuln')) {
      dbFetch = startHeld(step, (held) =>
        trivyCheck.result.then(
          (trivy) => fetchDb(held, trivy, inputs, host),
          (error: unknown) => ({ ok: false, error }) as const,
        ),
      );
    }
    const builderSetUp = await timed('Set up the builder', () => setUpBuilder(step, plan));
    await timed('Set up QEMU', () =>
      setUpEmulation(step, builderSetUp, plan.platforms, inputs.binfmtImage, host.enginePlatform),
    );
    const builder = builderSetUp.name;
    const trivy = trivyCheck === undefined ? 'trivy' : await timed('Set up Trivy', () => trivyCheck.shown());
    const metadata = await timed('Build', () => build(step, plan, inputs, builder));

    const output = plan.build.output;
    const reportDir = resolve(step.cwd, inputs.reportsDir);
    let platformDigests: Record<string, string> = {};
    let gate: GateOutcome | undefined;
    let image = '';
    const digest = metadata.digest ?? '';
    if (output.kind === 'push-by-digest') {
      if (digest === '') throw new Error('buildx reported no digest for the pushed image');
      const [first] = output.repositories;
      if (first === undefined) throw new Error('nothing to push to');
      image = `${first}@${digest}`;
      platformDigests = await timed('Inspect the pushed image', () =>
        pushedPlatformDigests(step, builder, first, digest, plan.platforms[0] ?? 'unknown'),
      );
      // Nothing is tagged until the gate has passed on every platform of this very digest.
      const targets = Object.entries(platformDigests).map(([platform, manifest]) => ({
        platform,
        digest: manifest,
        source: { kind: 'registry', reference: `${first}@${manifest}` } as const,
      }));
      const db = await dbShown();
      gate = await judged(() =>
        scanGate(step, { trivy, inputs, imageName: first, targets, reportDir, ignoreFile, db }),
      );
      if (gate.result !== 'failed') await timed('Attach tags', () => attachTags(step, plan, builder, digest));
    } else if (scanning) {
      const targets = await timed('Export each platform for the scan', () =>
        exportPlatforms(step, plan, inputs, builder),
      );
      const name = plan.tags[0] === undefined ? 'image' : repositoryOf(plan.tags[0]);
      const db = await dbShown();
      gate = await judged(() => scanGate(step, { trivy, inputs, imageName: name, targets, reportDir, ignoreFile, db }));
    }
    if (readiness?.ok === true && readiness.state.saveKey !== undefined) {
      const { state } = readiness;
      await timed('Save the Trivy DB', () => saveDb(step, state, host.jobCache));
    }

    const failure =
      gate?.result === 'failed'
        ? `the scan gate failed on ${[...new Set(gate.verdict?.failing.map((f) => f.platform))].join(', ')}: ` +
          `${gate.verdict?.failing.length ?? 0} finding(s) of severity ${inputs.failOn.join(', ')}; no tag was attached ` +
          `(the untagged digest ${digest} is left for the registry's garbage collection)`
        : undefined;
    return {
      failure,
      scanSummary: gate?.summary ?? '',
      outputs: {
        cache: {
          kind: plan.cache.kind,
          read: plan.cache.readKeys,
          write: plan.cache.writeKey ?? null,
          steps: metadata.cache.steps,
          cached: metadata.cache.cached,
        },
        scanResult: gate?.result ?? 'skipped',
        scanCounts: gate?.verdict?.counts ?? {},
        reports: gate?.reports ?? {},
        digest,
        platformDigests,
        image,
        tags: output.kind === 'none' || gate?.result === 'failed' ? [] : plan.tags,
        labels: plan.labels.map((label) => `${label.key}=${label.value}`),
        annotations: plan.annotations,
        version: plan.version ?? '',
        metadata: JSON.stringify(metadata.raw),
        imageid: output.kind === 'load' ? (metadata.configDigest ?? '') : '',
      },
      times,
    };
  } catch (error) {
    throw error instanceof PipelineError ? error : new PipelineError(undefined, error, times);
  } finally {
    // A failed build leaves no download behind.
    trivyCheck?.abandon();
    dbFetch?.abandon();
    await dbFetch?.result.catch(() => undefined);
  }
}

/** Starts fetching the vulnerability database; settles (never rejects) with the database or why there is none. */
async function fetchDb(step: StepContext, trivy: string, inputs: Inputs, host: Host): Promise<DbReadiness> {
  try {
    const state = await prepareDb(step, {
      trivy,
      cacheDir: host.trivyCacheDir,
      sources: dbSources(inputs),
      timeout: inputs.scanTimeout,
      cache: inputs.trivyDbCache ? host.jobCache : undefined,
      now: host.now(),
      ...(step.signal === undefined ? {} : { signal: step.signal }),
    });
    return { ok: true, state };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Every output, as text, under the names of the input table's outputs. */
export function outputValues(outputs: Outputs): Record<string, string> {
  return {
    digest: outputs.digest,
    'platform-digests': JSON.stringify(outputs.platformDigests),
    image: outputs.image,
    tags: outputs.tags.join('\n'),
    labels: outputs.labels.join('\n'),
    annotations: outputs.annotations.join('\n'),
    version: outputs.version,
    metadata: outputs.metadata,
    imageid: outputs.imageid,
    cache: JSON.stringify(outputs.cache),
    'scan-result': outputs.scanResult,
    'scan-counts': JSON.stringify(outputs.scanCounts),
    sarif: outputs.reports.sarif ?? '',
    'gitlab-report': outputs.reports.gitlab ?? '',
    junit: outputs.reports.junit ?? '',
  };
}
