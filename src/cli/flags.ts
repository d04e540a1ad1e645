/**
 * The local command's flags are the inputs: `--tags 'type=sha'` sets INPUT_TAGS, as `with: tags:` does on GitHub.
 * A flag given twice adds a line (`--tags a --tags b` is two rules). `--flag=value` works too.
 */
import { inputVariables } from '../inputs/read.js';
import { INPUTS } from '../inputs/table.js';

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export function flagsToEnv(args: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const match = /^--([a-z][a-z0-9-]*)(?:=([\s\S]*))?$/.exec(arg);
    if (match === null)
      throw new FlagError(`unexpected argument ${JSON.stringify(arg)}: inputs are given as --name value`);
    const name = match[1] ?? '';
    const spec = INPUTS.find((s) => s.name === name);
    if (spec === undefined) {
      throw new FlagError(`unknown input --${name}; the inputs are: ${INPUTS.map((s) => s.name).join(', ')}`);
    }
    let value = match[2];
    if (value === undefined) {
      const next = args[i + 1];
      if (spec.kind.type === 'boolean' && (next === undefined || next.startsWith('--'))) value = 'true';
      else if (next === undefined) throw new FlagError(`--${name} needs a value`);
      else {
        value = next;
        i++;
      }
    }
    const [variable] = inputVariables(name);
    env[variable] = env[variable] === undefined ? value : `${env[variable]}\n${value}`;
  }
  return env;
}
