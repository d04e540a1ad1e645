/**
 * The three ways in: the GitHub Action (main and post steps), `docker-build build` and `docker-build plan`. Each reads
 * inputs and context, makes the pure plan, and (but for plan) carries it out, with cleanup on every exit path.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clockReading, detectPlatform, readContext } from './context/read.js';
import type { CiContext } from './context/types.js';
import { UsageError } from './errors.js';
import { SecretMask } from './exec/mask.js';
import { Runner } from './exec/runner.js';
import type { RegistryLogin } from './inputs/login.js';
import { parseInputs, secretValues, type Inputs, type TlsFile } from './inputs/parse.js';
import { readProxyEnv } from './inputs/proxy.js';
import { rawInputs, secretEnvValues, type Env } from './inputs/read.js';
import { automaticCandidates } from './plan/automatic-login.js';
import { makePlan, planMeta } from './plan/plan.js';
import { proxySummary } from './plan/proxy.js';
import { checkTest } from './plan/test.js';
import type { Plan } from './plan/types.js';
import { CleanupStack } from './pipeline/cleanup.js';
import type { TlsTexts } from './pipeline/steps/builder.js';
import { askCredentialHelpers } from './pipeline/credential-helpers.js';
import { privateConfigEntries, readUserDockerConfig, type UserConfig } from './pipeline/docker-config.js';
import { createDockerEnv } from './pipeline/docker-env.js';
import { outputValues, PipelineError, runPipeline } from './pipeline/run.js';
import type { SignSecrets } from './pipeline/steps/sign.js';
import { keylessIdentity, oidcToken } from './platform/sigstore.js';
import { summaryMarkdown, type Failure } from './pipeline/summary.js';
import { actionsCache, cacheService } from './platform/actions-cache.js';
import { trivyCacheDir } from './scan/db.js';
import {
  cleanupStateFile,
  dockerClientEnv,
  DOTENV_FILE,
  DOTENV_OUTPUTS,
  dotenvName,
  GitlabReporter,
} from './platform/gitlab.js';
import { LocalReporter } from './platform/local.js';
import { debugEnabled, type Reporter } from './platform/types.js';
import { planJson } from './cli/plan-json.js';
import { dockerEngine, hostPlatform, ignoreFiles, localEngine, readDockerfile, readSources } from './host.js';
import { DIGESTS_DIR, operationInputs, planOperation } from './plan/operation.js';

export interface Prepared {
  inputs: Inputs;
  ctx: CiContext;
  plan: Plan;
  /** the credentials of every registry the plan logs in to */
  logins: RegistryLogin[];
  /** the user's Docker config, whose entries for the registries in play the private config takes over */
  userConfig: UserConfig | undefined;
}

function envNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/**
 * Inputs, context and plan: everything before the first side effect. Every input is checked (tag rules, ignore files,
 * proxies included) before the first git or network call; a bad one throws an InputError.
 */
export async function prepare(
  env: Env,
  reporter: Reporter,
  runner: Runner,
  mask: SecretMask,
  cwd: string,
): Promise<Prepared> {
  const parsed = parseInputs(rawInputs(env));
  const sources =
    parsed.command === 'merge' ? readSources(cwd, parsed.sources, `${parsed.reportsDir}/${DIGESTS_DIR}`) : undefined;
  // Promote and merge tag their sources' repository when images is empty: the tag rules are checked for it.
  const inputs = operationInputs(parsed, planOperation(parsed, { hostPlatform: hostPlatform(), sources }));
  const fromEnv = secretEnvValues(env, inputs.secretEnvs).filter((value) => value !== '');
  const proxy = readProxyEnv(env, inputs.driverOpts);
  for (const secret of [...secretValues(inputs), ...fromEnv, ...proxy.secrets]) {
    mask.add(secret);
    reporter.addMask(secret);
  }
  const levels = env.DOCKER_METADATA_ANNOTATIONS_LEVELS?.trim();
  const toggles = {
    shortShaLength: envNumber(env.DOCKER_METADATA_SHORT_SHA_LENGTH),
    prHeadSha: env.DOCKER_METADATA_PR_HEAD_SHA?.trim() === 'true',
    annotationLevels: levels === undefined || levels === '' ? undefined : levels.split(',').map((l) => l.trim()),
  };
  const meta = planMeta(inputs, toggles);
  const ignored = inputs.scan ? ignoreFiles(cwd, inputs.trivyignores) : [];
  // Promote and merge build nothing: the Dockerfile's base images are not theirs to pull.
  const dockerfile = inputs.command === 'build' ? readDockerfile(cwd, inputs.context, inputs.file) : undefined;
  const engine = dockerEngine(env);
  checkTest(inputs, { engine, dockerfile });
  const userConfig = readUserDockerConfig(env);
  const now = clockReading(env);
  const ctx = await readContext(reporter.platform, {
    env,
    runner,
    cwd,
    now,
    githubToken: inputs.githubToken,
    warn: (message) => {
      reporter.warning(message);
    },
  });
  const automatic = automaticCandidates(reporter.platform, env, inputs.githubToken);
  for (const login of automatic) mask.add(login.password);
  const plan = makePlan({
    ctx,
    inputs,
    logins: inputs.logins,
    automatic,
    toggles,
    meta,
    now,
    builderName: `docker-build-${randomBytes(4).toString('hex')}`,
    hostPlatform: hostPlatform(),
    ghaAvailable: cacheService(env) !== undefined,
    dockerConfig: userConfig?.view,
    dockerfile,
    ignoreFiles: ignored,
    engine,
    proxy,
    sources,
    oidc: oidcToken(env),
  });
  const proxyLine = proxySummary(plan.proxy);
  if (proxyLine !== undefined) reporter.info(proxyLine);
  for (const warning of plan.proxy.warnings) reporter.warning(warning);
  const all = [...inputs.logins, ...automatic];
  const logins = plan.logins.flatMap((entry) => all.find((login) => login.registry === entry.registry) ?? []);
  return { inputs, ctx, plan, logins, userConfig };
}

export async function planCommand(
  env: Env,
  cwd: string,
  stdout: (text: string) => void,
  stderr: (text: string) => void,
) {
  const mask = new SecretMask();
  // `plan` reads the same environment as a run: on GitHub or GitLab it shows what that job would do.
  const platform = detectPlatform(env);
  const reporter = new LocalReporter(mask, stderr, platform, debugEnabled(platform, env));
  const runner = new Runner(mask, (line) => {
    reporter.info(line);
  });
  const prepared = await prepare(env, reporter, runner, mask, cwd);
  // A push that would stop for a missing credential is shown, not refused: the plan is what to fix.
  if (prepared.plan.push.blocked !== undefined) reporter.warning(`build would stop: ${prepared.plan.push.blocked}`);
  stdout(`${JSON.stringify(planJson(prepared.plan), null, 2)}\n`);
}

/** The TLS inputs of a remote builder given as PEM text: they reach the builder step as secrets, never the plan. */
function signSecrets(inputs: Inputs): SignSecrets {
  const { signKey, verify } = inputs;
  return {
    keyText: signKey?.kind === 'pem' ? signKey.text : undefined,
    verifyKeyText: verify.kind === 'key' && verify.key.kind === 'pem' ? verify.key.text : undefined,
    password: inputs.signKeyPassword,
  };
}

function pemTexts(inputs: Inputs): TlsTexts {
  const text = (file: TlsFile | undefined) => (file?.kind === 'pem' ? file.text : undefined);
  return { caCert: text(inputs.tls.caCert), cert: text(inputs.tls.cert), key: text(inputs.tls.key) };
}

/**
 * Runs the pipeline with a reporter; returns the exit code. Cleanup runs on every path, with a runner of its own that
 * a cancellation (`signal`) does not stop.
 */
async function execute(
  env: Env,
  reporter: Reporter,
  mask: SecretMask,
  cwd: string,
  cleanup: CleanupStack,
  signal?: AbortSignal,
): Promise<number> {
  const log = (line: string) => {
    reporter.info(line);
  };
  const runner = new Runner(mask, log, process.env, signal, (line) => {
    reporter.debug(line);
  });
  let prepared: Prepared | undefined;
  try {
    prepared = await prepare(env, reporter, runner, mask, cwd);
    if (prepared.plan.push.blocked !== undefined) throw new UsageError(prepared.plan.push.blocked);
    await askCredentialHelpers(prepared.plan, runner, mask, reporter);
    const privateConfig = reporter.platform !== 'local' || prepared.logins.length > 0;
    const docker = createDockerEnv(
      env,
      cleanup,
      privateConfig,
      prepared.plan.builder.kind === 'existing',
      privateConfigEntries(prepared.userConfig, prepared.plan.credentials),
    );
    const { outputs, times, failure, gateSummary } = await runPipeline(
      { runner, reporter, cleanup, docker, cwd, signal },
      prepared.plan,
      {
        logins: prepared.logins,
        buildSecrets: prepared.inputs.secrets,
        tls: pemTexts(prepared.inputs),
        sign: signSecrets(prepared.inputs),
      },
      {
        toolCache: env.RUNNER_TOOL_CACHE,
        jobCache:
          reporter.platform === 'github'
            ? actionsCache(env, (line) => {
                reporter.debug(line);
              })
            : undefined,
        trivyCacheDir: trivyCacheDir(prepared.inputs.trivyCacheDir, reporter.platform, env, cwd),
        signer: keylessIdentity(env),
        ...(localEngine({ ...env, ...docker.vars }) ? { enginePlatform: hostPlatform() } : {}),
        now: () => new Date(),
      },
    );
    for (const [name, value] of Object.entries(outputValues(outputs))) reporter.setOutput(name, value);
    // A failed gate is the one failure the pipeline returns rather than throws: it has outputs and reports.
    const failedGates = Object.values(outputs.gates).filter((gate) => gate.result === 'failed');
    const gateFailure: Failure | undefined =
      failure === undefined
        ? undefined
        : {
            step: failedGates.map((gate) => gate.title).join(', '),
            message: failure,
            refused: false,
            cancelled: false,
          };
    await reporter.summary(summaryMarkdown({ plan: prepared.plan, outputs, times, gateSummary, failure: gateFailure }));
    if (failure !== undefined) {
      reporter.error(failure);
      return 1;
    }
    return 0;
  } catch (error) {
    const failed = error instanceof PipelineError ? error : undefined;
    const cause: unknown = failed === undefined ? error : failed.cause;
    const cancelled = signal?.aborted === true;
    const message = cancelled ? 'cancelled' : cause instanceof Error ? cause.message : String(cause);
    const step = failed?.step;
    // The log says which step failed, as the job summary does: on GitLab and a laptop the log is all there is.
    reporter.error(step === undefined || cancelled ? message : `${step} failed: ${message}`);
    const refused = cause instanceof UsageError;
    await summaryOnFailure(
      reporter,
      summaryMarkdown({
        plan: prepared?.plan,
        outputs: undefined,
        times: failed?.times ?? [],
        gateSummary: '',
        failure: { step, message, refused, cancelled },
      }),
    );
    return refused ? 2 : 1;
  } finally {
    await reporter.group('Clean up', async () => {
      for (const warning of await cleanup.unwind(new Runner(mask, log))) reporter.warning(warning);
    });
  }
}

/** The job summary of a failed run: a summary that cannot be written is a warning, never the error shown. */
async function summaryOnFailure(reporter: Reporter, markdown: string): Promise<void> {
  try {
    await reporter.summary(markdown);
  } catch (error) {
    reporter.warning(`the job summary could not be written: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The GitHub Action: main step, or post step when main saved its state. */
export async function actionEntry(env: Env): Promise<number> {
  const mask = new SecretMask();
  // @actions/core (with its HTTP client) is a chunk of dist/ of its own, read by GitHub steps only: `plan`, a laptop
  // and a GitLab job start without it.
  const { GithubReporter } = await import('./platform/github.js');
  const reporter = new GithubReporter(mask);
  if (reporter.getState('isPost') === 'true') {
    // Whatever main could not undo (it was cancelled, or it crashed) is undone here.
    const cleanup = CleanupStack.parse(reporter.getState('cleanup'));
    if (cleanup.size === 0) return 0;
    const runner = new Runner(mask, (line) => {
      reporter.info(line);
    });
    for (const warning of await cleanup.unwind(runner)) reporter.warning(warning);
    return 0;
  }
  reporter.saveState('isPost', 'true');
  const cleanup = new CleanupStack([], (serialized) => {
    reporter.saveState('cleanup', serialized);
  });
  return execute(env, reporter, mask, env.GITHUB_WORKSPACE ?? process.cwd(), cleanup);
}

/**
 * `docker-build build`: the pipeline on a laptop (or in a GitLab job, whose context it reads); outputs as JSON on
 * stdout. SIGINT and SIGTERM stop the running program, and the cleanup still runs before the exit (130 or 143).
 */
export async function buildCommand(env: Env, cwd: string, stdout: (text: string) => void): Promise<number> {
  const mask = new SecretMask();
  const platform = detectPlatform(env);
  const gitlab = platform === 'gitlab';
  // In a GitLab job: sections, a dotenv report for later jobs, and the cleanup stack in a file for after_script.
  const reporter = gitlab
    ? new GitlabReporter(mask, join(cwd, DOTENV_FILE), undefined, debugEnabled(platform, env))
    : new LocalReporter(mask, undefined, platform, debugEnabled(platform, env));
  const stateFile = cleanupStateFile(env);
  const cleanup = gitlab
    ? new CleanupStack([], (serialized) => {
        writeFileSync(stateFile, serialized, { mode: 0o600 });
      })
    : new CleanupStack();
  if (gitlab) dockerClientEnv(process.env);
  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    abort.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    const code = await execute(env, reporter, mask, cwd, cleanup, abort.signal);
    if (gitlab) rmSync(stateFile, { force: true });
    if (signalled !== undefined) return signalled === 'SIGINT' ? 130 : 143;
    // A failed gate still has outputs (scan-result, the reports): they are printed too. In a GitLab job they are in
    // the dotenv report, for later jobs.
    if (Object.keys(reporter.outputs).length > 0) {
      stdout(
        gitlab
          ? `outputs for later jobs in ${DOTENV_FILE}: ${DOTENV_OUTPUTS.map(dotenvName).join(', ')}\n`
          : `${JSON.stringify(reporter.outputs, null, 2)}\n`,
      );
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/**
 * `docker-build cleanup`: the GitLab component's `after_script`. Undoes what a failed, killed or cancelled `script`
 * left behind (the private Docker config with the credentials, the builder), from the stack it kept in a file.
 */
export async function cleanupCommand(env: Env, stderr: (text: string) => void): Promise<number> {
  const file = cleanupStateFile(env);
  if (!existsSync(file)) return 0;
  const mask = new SecretMask();
  const cleanup = CleanupStack.parse(readFileSync(file, 'utf8'));
  const runner = new Runner(mask, (line) => {
    stderr(`${line}\n`);
  });
  for (const warning of await cleanup.unwind(runner)) stderr(`warning: ${warning}\n`);
  rmSync(file, { force: true });
  return 0;
}
