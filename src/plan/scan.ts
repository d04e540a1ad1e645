/** The scan gate's part of the plan, from the inputs: Trivy's version, scanners, policy, ignore files, database. */
import type { Inputs } from '../inputs/parse.js';
import { sbomOn } from './sbom.js';
import type { ScanPlan } from './types.js';

/** Undefined when `scan` is false. `ignoreFiles`: absolute, as the edge found and checked them. */
export function planScan(inputs: Inputs, ignoreFiles: readonly string[]): ScanPlan | undefined {
  if (!inputs.scan) return undefined;
  return {
    trivyVersion: inputs.trivyVersion,
    scanners: inputs.scanners,
    failOn: inputs.failOn,
    severities: inputs.scanSeverity,
    ignoreUnfixed: inputs.ignoreUnfixed,
    ignoreFiles: [...ignoreFiles],
    timeout: inputs.scanTimeout,
    failOpen: inputs.scanFailOpen,
    db: { dbRepositories: inputs.dbRepositories, javaDbRepositories: inputs.javaDbRepositories },
    dbCache: inputs.trivyDbCache,
    ...(sbomOn(inputs.sbom) ? { sbomFormat: inputs.sbomFormat } : {}),
  };
}
