/**
 * Reads raw input text from the environment, the same way on every platform: GitHub sets `INPUT_<NAME>` (name
 * upper-cased, hyphens kept), the GitLab component sets `INPUT_<NAME>` with underscores (a CI/CD variable cannot hold
 * a hyphen), and the local command maps `--name value` flags onto the same variables. Both spellings are accepted.
 */
import { InputError } from '../errors.js';
import { INPUTS, type InputSpec } from './table.js';
import type { KeyValue } from './values.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function inputVariables(name: string): [hyphen: string, underscore: string] {
  const upper = `INPUT_${name.toUpperCase().replace(/ /g, '_')}`;
  return [upper, upper.replace(/-/g, '_')];
}

/**
 * The raw text of one input: the first of its variables that is set, else its default. A secret input may instead be
 * named by `INPUT_<NAME>_VARIABLE`: the name of the (masked) CI/CD variable that holds it. That is how the GitLab
 * component takes secrets: never as input values, which GitLab shows in the pipeline's configuration.
 */
export function rawInput(env: Env, spec: InputSpec): string {
  if (spec.secret === true) {
    for (const variable of inputVariables(`${spec.name}-variable`)) {
      const name = env[variable]?.trim();
      if (name === undefined || name === '') continue;
      const value = env[name];
      if (value === undefined) {
        throw new InputError(
          `${spec.name}-variable`,
          name,
          'no such variable in this job (a protected variable is only given to protected branches and tags)',
        );
      }
      return value;
    }
  }
  for (const variable of inputVariables(spec.name)) {
    const value = env[variable];
    if (value !== undefined) return value;
  }
  return spec.default;
}

/** The raw text of every input, by name. */
export function rawInputs(env: Env): ReadonlyMap<string, string> {
  return new Map(INPUTS.map((spec) => [spec.name, rawInput(env, spec)]));
}

/**
 * The values of the `secret-envs` variables, read at the edge for masking (buildx reads them itself, from the same
 * environment). A variable that is not set is an error before anything runs, as buildx would fail only mid-build.
 */
export function secretEnvValues(env: Env, secretEnvs: readonly KeyValue[]): string[] {
  return secretEnvs.map(({ key, value: name }) => {
    const value = env[name];
    if (value === undefined) {
      throw new InputError(
        'secret-envs',
        `${key}=${name}`,
        `${name} is not set in this job (on GitLab a protected variable is only given to protected branches and tags)`,
      );
    }
    return value;
  });
}
