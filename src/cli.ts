import { NAME, VERSION } from './version.js';

/** Where the command line writes: injected so that tests need no process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const USAGE = `Usage: ${NAME} [options]

Turns a repository into a scanned, tagged container image, the same way on GitHub Actions, GitLab CI and a laptop.

Options:
  -h, --help      print this help and exit
  -v, --version   print the version and exit

Exit codes: 0 success, 1 the pipeline failed, 2 the command line was not understood.
`;

/** Runs the command line and returns the process exit code. */
export function runCli(argv: readonly string[], io: Io): number {
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
    default:
      io.stderr(`${NAME}: unknown command or option ${JSON.stringify(first)}; see --help\n`);
      return 2;
  }
}
