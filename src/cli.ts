import { FlagError, flagsToEnv } from './cli/flags.js';
import { UsageError } from './errors.js';
import type { Env } from './inputs/read.js';
import { buildCommand, cleanupCommand, planCommand } from './main.js';
import { NAME, VERSION } from './version.js';

/** Where the command line writes: injected so that tests need no process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const USAGE = `Usage: ${NAME} <command> [--input value ...]

Turns a repository into a scanned, tagged container image, the same way on GitHub Actions, GitLab CI and a laptop.

Commands:
  build           run the pipeline: log in, build once, push by digest, attach the tags; outputs as JSON on stdout
  promote         take an image already built, by digest (--source registry/app@sha256:...), run the scan (and
                  test) gate on it, attach this commit's tags, in its repository or copied to --images
  merge           join one-platform images built by \`build --push digest\` (--sources, or the digest files in
                  docker-build-reports/digests/) into one index by digest, gate every platform, attach the tags
  plan            print what build (or promote, merge: --command) would do, as JSON, without doing it
  cleanup         undo what an interrupted build left behind (the GitLab component's after_script runs it)

Inputs are the action's inputs as flags: --images ghcr.io/org/app --tags 'type=semver,pattern={{version}}'
--platforms linux/amd64,linux/arm64 --push true. A flag given twice adds a line. INPUT_<NAME> variables work too.
Without inputs for credentials, build uses your own Docker login; with them, a private temporary Docker config.

Options:
  -h, --help      print this help and exit
  -v, --version   print the version and exit

Exit codes: 0 success, 1 the pipeline failed, 2 the command line or an input was not understood.
`;

/** Runs the command line and returns the process exit code. */
export async function runCli(argv: readonly string[], io: Io, env: Env = {}, cwd = process.cwd()): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(`${NAME}: no command given\n\n${USAGE}`);
    return 2;
  }
  if (rest.length > 0 && (first === '--help' || first === '-h' || first === '--version' || first === '-v')) {
    io.stderr(`${NAME}: ${first} takes no arguments, got ${JSON.stringify(rest[0])}\n`);
    return 2;
  }
  switch (first) {
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return 0;
    case '--version':
    case '-v':
      io.stdout(`${VERSION}\n`);
      return 0;
    case 'plan':
    case 'build':
    case 'promote':
    case 'merge':
      try {
        // Flags win over INPUT_ variables of the environment; the command word wins over both.
        const merged = {
          ...env,
          ...flagsToEnv(rest),
          ...(first === 'promote' || first === 'merge' ? { INPUT_COMMAND: first } : {}),
        };
        if (first !== 'plan' && first !== 'build' && rest.some((arg) => /^--command(?:=|$)/.test(arg))) {
          throw new UsageError(`${first} is the command: --command is for plan`);
        }
        if (first === 'plan') {
          await planCommand(merged, cwd, io.stdout, io.stderr);
          return 0;
        }
        return await buildCommand(merged, cwd, io.stdout);
      } catch (error) {
        if (error instanceof FlagError || error instanceof UsageError) {
          io.stderr(`${NAME}: ${error.message}\n`);
          return 2;
        }
        io.stderr(`${NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
        return 1;
      }
    case 'cleanup':
      return cleanupCommand(env, io.stderr);
    default:
      io.stderr(`${NAME}: unknown command or option ${JSON.stringify(first)}; see --help\n`);
      return 2;
  }
}
