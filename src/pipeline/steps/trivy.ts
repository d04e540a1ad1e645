/** Trivy at the pinned version, for the scan gate: checked on PATH, or installed from a verified release. */
import { installTrivy } from '../../scan/install.js';
import { GateError } from '../../scan/gate-error.js';
import { parseTrivyVersion } from '../../scan/trivy-args.js';
import type { StepContext } from '../step.js';

/**
 * The path of Trivy at the pinned version: the one on PATH when it is that version, else (on a GitHub runner, which
 * has a tool cache) a verified download. Anything else fails the gate before the build.
 */
export async function ensureTrivy(step: StepContext, version: string, toolCache: string | undefined): Promise<string> {
  const versionOf = async (trivy: string): Promise<string | undefined> => {
    const result = await step.runner
      .run(trivy, ['--version'], { quiet: true, allowFailure: true })
      .catch(() => undefined);
    return result?.code === 0 ? parseTrivyVersion(result.stdout) : undefined;
  };
  const onPath = await versionOf('trivy');
  if (onPath === version) return 'trivy';
  if (toolCache !== undefined && toolCache !== '') {
    const installed = await installTrivy({
      version,
      toolCache,
      runner: step.runner,
      ...(step.signal === undefined ? {} : { signal: step.signal }),
    });
    const found = await versionOf(installed);
    if (found !== version)
      throw new GateError(`the Trivy installed from the ${version} release says it is ${found ?? 'unknown'}`);
    step.reporter.info(`Trivy ${version}: ${installed} (checksum-verified release, tool cache)`);
    return installed;
  }
  throw new GateError(
    onPath === undefined
      ? `the scan gate needs Trivy ${version}, and there is no trivy on PATH`
      : `the scan gate is pinned to Trivy ${version}, and the trivy on PATH is ${onPath}`,
  );
}
