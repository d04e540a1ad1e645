/**
 * The pipeline: log in, set up the builder and QEMU, run the gates that judge the Dockerfile, build once and push by
 * digest, run the gates on that digest of every platform, and attach the tags only when every gate has passed; and
 * the outputs. Every step is a log group with its time; whatever the run created is on the cleanup stack, unwound by
 * the caller on every exit path. Only the plan says what to do: the secrets come apart, the machine's facts as `host`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RegistryLogin } from '../inputs/login.js';
import type { KeyValue } from '../inputs/values.js';
import { references, type Plan } from '../plan/types.js';
import { GATES } from './gates/index.js';
import type { Gate, GateResult, GateRun, Host, Started, StepContext } from './step.js';
import { build, exportPlatforms } from './steps/build.js';
import { setUpBuilder, setUpEmulation, type TlsTexts } from './steps/builder.js';
import { pushedPlatformDigests } from './steps/inspect.js';
import { login } from './steps/login.js';
import { inspectSource, mergeSources } from './steps/sources.js';
import { platformMap } from '../tools/metadata.js';
import { attachTags } from './steps/tags.js';
import { signImage, verifySource, type GatesStatement, type Signed, type SignSecrets } from './steps/sign.js';
import { VERSION } from '../version.js';
import { repositoryOfDigest } from '../plan/operation.js';

export type { Host };

/** A gate's verdict, with the gate's title (the step the job summary names when it failed). */
export type JudgedGate = GateResult & { title: string };

export interface Outputs {
  /** the layer cache: its kind, the keys read and written, and how many build steps came from it */
  cache: { kind: string; read: string[]; write: string | null; steps: number; cached: number };
  /** each gate's verdict, in the order they ran, by name */
  gates: Record<string, JudgedGate>;
  digest: string;
  platformDigests: Record<string, string>;
  image: string;
  /** `push: digest`: the file holding the image by digest, for a merge job */
  digestFile: string;
  tags: string[];
  labels: string[];
  annotations: string[];
  version: string;
  metadata: string;
  imageid: string;
  /** the references signed, with `sign` */
  signatures: string[];
  verifyCommand: string;
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

/** The secrets of a run: never in the plan, they reach programs on stdin or through the environment. */
export interface RunSecrets {
  /** the logins of the plan, with their passwords */
  logins: readonly RegistryLogin[];
  /** the values of the `secrets` input, by id */
  buildSecrets: readonly KeyValue[];
  /** a remote builder's TLS inputs given as PEM text */
  tls?: TlsTexts;
  /** signing's and verifying's key texts and password */
  sign?: SignSecrets;
}

export async function runPipeline(
  step: StepContext,
  plan: Plan,
  secrets: RunSecrets,
  host: Host,
): Promise<{ outputs: Outputs; times: StepTime[]; failure: string | undefined; gateSummary: string }> {
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

  const decision = plan.push.push ? `pushing: ${plan.push.reason}` : `not pushing: ${plan.push.reason}`;
  if (plan.push.warn === true) step.reporter.warning(decision);
  else step.reporter.info(decision);
  for (const credential of plan.credentials) {
    if (credential.source !== 'none') step.reporter.info(`credential for ${credential.registry}: ${credential.source}`);
  }
  const gates = GATES.filter((gate) => gate.applies(plan));
  const started = new Map<Gate, Started<unknown>>();
  const results: Record<string, JudgedGate> = {};
  /**
   * One gate, its verdict and tables printed after its group: GitLab collapses groups, and a failed job's log must show
   * why at once (GitHub's log and a terminal read the same).
   */
  const judge = async (gate: Gate, run: GateRun): Promise<GateResult> => {
    const work = started.get(gate);
    const state = work === undefined ? undefined : await stateOf(work);
    const result = await timed(gate.title, () => gate.judge(run, state));
    for (const line of result.text.trimEnd().split('\n')) step.reporter.info(line);
    results[gate.name] = { ...result, title: gate.title };
    return result;
  };
  const stateOf = (work: Started<unknown>) =>
    work.state.title === undefined ? work.state.wait() : timed(work.state.title, work.state.wait);

  try {
    if (secrets.logins.length > 0) await timed('Log in to registries', () => login(step, secrets.logins));
    // What the gates do ahead of their turn (Trivy checked, its database fetched) goes on while the builder starts
    // and the image builds, its log held back for its own group.
    for (const gate of gates) {
      if (gate.start !== undefined) started.set(gate, gate.start(step, plan, host));
    }
    const builderSetUp = await timed('Set up the builder', () => setUpBuilder(step, plan, secrets.tls));
    // Promote and merge know their platforms once they read their sources.
    if (plan.operation.kind === 'build' || plan.operation.kind === 'digest') {
      await timed('Set up QEMU', () =>
        setUpEmulation(step, builderSetUp, plan.platforms, plan.binfmtImage, host.enginePlatform),
      );
    }
    const builder = builderSetUp.name;
    const reportDir = resolve(step.cwd, plan.reportsDir);
    const imageName = plan.tags[0]?.repository ?? 'image';
    // Nothing is built before every gate's prerequisites are there, and the gates that judge the Dockerfile passed.
    for (const work of started.values()) {
      if (work.prerequisite !== undefined) await timed(work.prerequisite.title, work.prerequisite.wait);
    }
    for (const gate of gates.filter((g) => g.stage === 'before-build')) {
      await judge(gate, { step, plan, host, builder, targets: [], imageName, reportDir });
    }
    const failedEarly = Object.values(results).some((result) => result.result === 'failed');
    const { operation } = plan;
    const builds = operation.kind === 'build' || operation.kind === 'digest';
    const after = gates.filter((gate) => gate.stage === 'after-push');
    const output = plan.build.output;
    let metadata: Awaited<ReturnType<typeof build>> | undefined;
    /** the image the gates judge and the tags go to: pushed (or, for promote and merge, read) by digest */
    let pushed: { repository: string; digest: string; platformDigests: Record<string, string> } | undefined;
    let digestFile = '';

    if (operation.kind === 'promote' || operation.kind === 'merge') {
      pushed =
        operation.kind === 'promote'
          ? await timed('Read the source image', async () => {
              if (plan.verify.kind !== 'none')
                await verifySource(step, plan.verify, secrets.sign ?? {}, operation.source);
              const source = await inspectSource(step, builder, operation.source, 'source');
              step.reporter.info(`${source.reference}: ${source.images.map((image) => image.platform).join(', ')}`);
              return {
                repository: repositoryOfDigest(operation.source),
                digest: source.digest,
                platformDigests: platformMap(source.images),
              };
            })
          : await timed('Merge the platforms', async () => {
              const { verify } = plan;
              if (verify.kind !== 'none') {
                for (const source of operation.sources) await verifySource(step, verify, secrets.sign ?? {}, source);
              }
              return mergeSources(step, builder, operation.sources, plan.push.push);
            });
      const platforms = Object.keys(pushed.platformDigests);
      if (plan.test !== undefined) {
        await timed('Set up QEMU', () =>
          setUpEmulation(step, builderSetUp, platforms, plan.binfmtImage, host.enginePlatform),
        );
      }
    } else {
      metadata = failedEarly ? undefined : await timed('Build', () => build(step, plan, secrets.buildSecrets, builder));
      const digest = metadata?.digest ?? '';
      if (metadata !== undefined && output.kind === 'push-by-digest') {
        if (digest === '') throw new Error('buildx reported no digest for the pushed image');
        const [first] = output.repositories;
        if (first === undefined) throw new Error('nothing to push to');
        pushed = {
          repository: first,
          digest,
          platformDigests: await timed('Inspect the pushed image', () =>
            pushedPlatformDigests(step, builder, first, digest, plan.platforms[0] ?? 'unknown'),
          ),
        };
      } else if (metadata !== undefined && after.length > 0) {
        const targets = await timed('Export each platform for the gates', () =>
          exportPlatforms(step, plan, secrets.buildSecrets, builder),
        );
        for (const gate of after) await judge(gate, { step, plan, host, builder, targets, imageName, reportDir });
      }
    }
    if (pushed !== undefined) {
      const { repository } = pushed;
      // Nothing is tagged until every gate has passed on every platform of this very digest.
      const targets = Object.entries(pushed.platformDigests).map(([platform, manifest]) => ({
        platform,
        digest: manifest,
        source: { kind: 'registry', reference: `${repository}@${manifest}` } as const,
      }));
      for (const gate of after)
        await judge(gate, { step, plan, host, builder, targets, imageName: repository, reportDir });
    }
    if (operation.kind === 'digest' && pushed !== undefined) {
      digestFile = resolve(step.cwd, operation.digestFile);
      const reference = `${pushed.repository}@${pushed.digest}`;
      writeDigestFile(digestFile, reference);
      step.reporter.info(
        `${operation.platform}: ${reference}, pushed by digest for a merge job (in ${operation.digestFile})`,
      );
    }
    const digest = pushed?.digest ?? metadata?.digest ?? '';
    const failed = Object.values(results).filter((result) => result.result === 'failed');
    const tagging = pushed !== undefined && plan.push.push && failed.length === 0 && plan.tags.length > 0;
    const signing = pushed !== undefined && plan.push.push && failed.length === 0 ? plan.sign : undefined;
    let signed: Signed | undefined;
    // Signed once every gate passed, before any tag, where the digest is already: every repository a build pushed to,
    // the merged index's; a promote's source repository only when its tags go there (the build signed the source).
    const tagRepositories = [...new Set(plan.tags.map((group) => group.repository))];
    const here =
      operation.kind === 'build' && output.kind === 'push-by-digest'
        ? output.repositories
        : operation.kind === 'merge'
          ? [pushed?.repository ?? '']
          : tagRepositories.filter((repository) => repository === pushed?.repository);
    const statement = (): GatesStatement => ({
      gates: Object.fromEntries(Object.entries(results).map(([name, result]) => [name, result.result])),
      platforms: pushed?.platformDigests ?? {},
      builder: { id: 'docker-build', version: VERSION },
      source: {
        commit: plan.labels.find((label) => label.key === 'org.opencontainers.image.revision')?.value ?? '',
        ref: plan.version ?? '',
      },
    });
    if (signing !== undefined && here.length > 0) {
      signed = await timed('Sign', () =>
        signImage(step, signing, secrets.sign ?? {}, here, digest, statement(), host.signer),
      );
    }
    if (tagging) {
      const source = `${pushed?.repository ?? ''}@${digest}`;
      await timed('Attach tags', () => attachTags(step, plan, builder, source));
    }
    // A promote into another registry copies the digest there with its tags: signed there right after.
    const copiedTo = tagRepositories.filter((repository) => !here.includes(repository));
    if (signing !== undefined && tagging && copiedTo.length > 0) {
      const more = await timed('Sign the copies', () =>
        signImage(step, signing, secrets.sign ?? {}, copiedTo, digest, statement(), host.signer),
      );
      signed = { references: [...(signed?.references ?? []), ...more.references], verifyCommand: more.verifyCommand };
    }
    for (const work of started.values()) {
      const next = work.after?.();
      if (next !== undefined) await timed(next.title, next.run);
    }

    const failure =
      failed.length === 0
        ? undefined
        : `${failed.map((result) => result.failure ?? 'a gate failed').join('; ')}; ` +
          (failedEarly
            ? 'nothing was built or pushed'
            : 'no tag was attached' +
              (digest === '' ? '' : ` (the untagged digest ${digest} is left for the registry's garbage collection)`));
    return {
      failure,
      gateSummary: Object.values(results)
        .map((result) => result.summary.trimEnd())
        .filter((text) => text !== '')
        .join('\n\n'),
      outputs: {
        cache: {
          kind: plan.cache.kind,
          read: plan.cache.readKeys,
          write: plan.cache.writeKey ?? null,
          steps: metadata?.cache.steps ?? 0,
          cached: metadata?.cache.cached ?? 0,
        },
        gates: results,
        digest,
        platformDigests: pushed?.platformDigests ?? {},
        // A merge that does not push has an index digest, but no image there.
        image:
          pushed === undefined || (operation.kind === 'merge' && !plan.push.push) ? '' : imageOf(plan, pushed, tagging),
        digestFile,
        tags: tagging
          ? references(plan.tags)
          : output.kind === 'load' && metadata !== undefined
            ? references(plan.tags)
            : [],
        // Promote and merge write no label or annotation: the images keep those of their build.
        labels: builds ? plan.labels.map((label) => `${label.key}=${label.value}`) : [],
        annotations: builds ? plan.annotations : [],
        version: plan.version ?? '',
        metadata: metadata === undefined ? '' : JSON.stringify(metadata.raw),
        imageid: output.kind === 'load' ? (metadata?.configDigest ?? '') : '',
        signatures: signed?.references ?? [],
        verifyCommand: signed?.verifyCommand ?? '',
      },
      times,
    };
  } catch (error) {
    throw error instanceof PipelineError ? error : new PipelineError(undefined, error, times);
  } finally {
    // A failed run leaves no download behind.
    for (const work of started.values()) await work.abandon();
  }
}

/** The image by digest: where its tags went (the first repository tagged), else where it was pushed or read. */
function imageOf(plan: Plan, pushed: { repository: string; digest: string }, tagged: boolean): string {
  const repository = tagged ? (plan.tags[0]?.repository ?? pushed.repository) : pushed.repository;
  return `${repository}@${pushed.digest}`;
}

/** `push: digest`'s file: the reference and a newline, readable by the job's user only like every report. */
function writeDigestFile(file: string, reference: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${reference}
`,
  );
}

/** Every output, as text, under the names of the input table's outputs; a gate that did not run gives its empty ones. */
export function outputValues(outputs: Outputs): Record<string, string> {
  const gateOutputs = Object.assign({}, ...Object.values(outputs.gates).map((result) => result.outputs)) as Record<
    string,
    string
  >;
  return {
    digest: outputs.digest,
    'platform-digests': JSON.stringify(outputs.platformDigests),
    image: outputs.image,
    'digest-file': outputs.digestFile,
    tags: outputs.tags.join('\n'),
    labels: outputs.labels.join('\n'),
    annotations: outputs.annotations.join('\n'),
    version: outputs.version,
    metadata: outputs.metadata,
    imageid: outputs.imageid,
    signatures: outputs.signatures.join('\n'),
    'verify-command': outputs.verifyCommand,
    cache: JSON.stringify(outputs.cache),
    'check-result': 'skipped',
    'check-sarif': '',
    'check-codequality': '',
    'check-junit': '',
    'scan-result': 'skipped',
    'scan-counts': '{}',
    sarif: '',
    'gitlab-report': '',
    junit: '',
    'sbom-files': '',
    'test-result': 'skipped',
    'test-junit': '',
    ...gateOutputs,
  };
}
