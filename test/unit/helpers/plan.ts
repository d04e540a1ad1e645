// The plan of a GitLab branch pipeline on main from inputs given by name, as the plan unit tests build it.
import { gitlabContext } from '../../../src/context/gitlab.js';
import { parseInputs, type Inputs } from '../../../src/inputs/parse.js';
import { inputVariables, rawInputs } from '../../../src/inputs/read.js';
import { makePlan, type PlanRequest } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import { readEnvFile } from './env-file.js';

export const NOW = new Date('2026-11-22T08:00:00Z');

/** The inputs given by name (`sbom-format`), parsed as the action reads its INPUT_ variables. */
export function parsedInputs(given: Record<string, string>): Inputs {
  return parseInputs(
    rawInputs(Object.fromEntries(Object.entries(given).map(([name, value]) => [inputVariables(name)[0], value]))),
  );
}

/** The plan of `given` in a GitLab branch pipeline on main, builder `b` on linux/amd64; `request` overrides facts. */
export function branchPlan(given: Record<string, string>, request: Partial<PlanRequest> = {}): Plan {
  const inputs = parsedInputs(given);
  return makePlan({
    dockerConfig: undefined,
    dockerfile: undefined,
    ctx: gitlabContext(readEnvFile('gitlab/branch-main.env'), NOW),
    inputs,
    logins: inputs.logins,
    automatic: [],
    toggles: { shortShaLength: undefined, prHeadSha: false, annotationLevels: undefined },
    now: NOW,
    builderName: 'b',
    hostPlatform: 'linux/amd64',
    ghaAvailable: false,
    engine: true,
    ...request,
  });
}
