/**
 * The one way docker-build runs an external program: argv only (never a shell string), secrets on stdin, the command
 * line logged with every known secret masked, output streamed to the log masked line by line, failure decided by the
 * exit code alone, and a typed error that carries the tool, the exit code and the last lines of stderr.
 *
 * Why not @actions/exec (read at 3.0.0; it is in node_modules only as a dependency of @actions/core and
 * @actions/cache): it cannot carry this contract.
 * - Masking: unless `silent`, it writes the command line (`[command]tool arg ...`, unquoted and unmasked) and the
 *   program's output as raw chunks, not lines, to process.stdout; it has no hook to mask them, and relies on the GitHub
 *   runner's add-mask, which GitLab and a laptop do not have. With `silent` and its line listeners, all the logging
 *   would be ours again.
 * - Cancellation: ExecOptions has no AbortSignal and the child process is not exposed: a cancelled job's `buildx`
 *   or `trivy` could not be stopped.
 * - Errors: a failure is a plain Error ("The process '…' failed with exit code N") with no stderr; a program killed
 *   by a signal reports "exit code null".
 * - Environment: it looks the program up on process.env's PATH (@actions/io's which), not on the PATH of the env it
 *   is given, so a runner with its own environment would run another program than the one it names.
 * - Argv: on Windows, `.cmd`/`.bat` programs go through cmd.exe with verbatim arguments, a shell after all.
 * What it has (argv on Unix, `input` on stdin, failure by exit code unless `failOnStdErr`) this runner has too.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { SecretMask } from './mask.js';

export type LineSink = (line: string) => void;

export interface RunOptions {
  /** Written to the program's standard input: the only way a secret reaches a program. */
  stdin?: string;
  /** Variables added to (or, when undefined, removed from) the runner's base environment. */
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /**
   * Do not stream the program's output to the log (it is still collected, and shown on failure); its lines go to the
   * runner's debug sink instead, shown when the job runs in debug mode.
   */
  quiet?: boolean;
  /** Resolve with the result instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
  /**
   * Each line of the program's standard error as it arrives, masked, besides where it is logged: a long-running
   * program's own log (Trivy's) tells what it is doing.
   */
  onStderrLine?: LineSink;
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';

  constructor(
    /** The command line as logged, secrets masked. */
    readonly commandLine: string,
    readonly code: number,
    readonly stderrTail: string,
  ) {
    super(`${commandLine} failed with exit code ${code}${stderrTail === '' ? '' : `:\n${stderrTail}`}`);
  }
}

const TAIL_LINES = 20;

/** How a command line is shown in logs: arguments quoted where a shell would need it, secrets masked. */
export function displayCommand(tool: string, args: readonly string[], mask: SecretMask): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return mask.apply([tool, ...args].map(quote).join(' '));
}

export class Runner {
  /**
   * `signal`: aborting it stops every program this runner started and fails its run (a cancelled job). `debug`: where
   * the output of quiet programs goes, line by line (the reporter's debug lines); nowhere by default.
   */
  constructor(
    private readonly mask: SecretMask,
    private readonly log: LineSink,
    private readonly baseEnv: Readonly<Record<string, string | undefined>> = process.env,
    private readonly signal?: AbortSignal,
    private readonly debug?: LineSink,
  ) {}

  /** The same runner (mask, environment, cancellation, debug sink) logging elsewhere, and stopped by `signal` too. */
  withLog(log: LineSink, signal?: AbortSignal): Runner {
    return new Runner(this.mask, log, this.baseEnv, anySignal(this.signal, signal), this.debug);
  }

  /**
   * Starts a program that outlives this call (a daemon: the job's buildkitd), in a process group of its own, its output
   * to a file; resolves once it runs, with its pid, for the cleanup stack. Its command line is logged as any other.
   */
  start(tool: string, args: readonly string[], options: StartOptions): Promise<Started> {
    const commandLine = displayCommand(tool, args, this.mask);
    this.log(`$ ${commandLine} &`);
    const env = this.environment(options.env);
    const out = openSync(options.logFile, 'a', 0o600);
    return new Promise((resolve, reject) => {
      const child = spawn(tool, args, {
        env,
        stdio: ['ignore', out, out],
        detached: true,
        shell: false,
        ...options.user,
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        closeSync(out);
        const reason = error.code === 'ENOENT' ? `${tool} was not found on PATH` : error.message;
        reject(new CommandError(commandLine, -1, this.mask.apply(reason)));
      });
      child.on('spawn', () => {
        closeSync(out);
        child.unref();
        resolve({ pid: child.pid ?? -1, commandLine });
      });
    });
  }

  /** The runner's environment with `extra` over it; a variable set to undefined is removed. */
  private environment(extra: Readonly<Record<string, string | undefined>> | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...this.baseEnv, ...extra })) {
      if (value !== undefined) env[name] = value;
    }
    return env;
  }

  run(tool: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const commandLine = displayCommand(tool, args, this.mask);
    this.log(`$ ${commandLine}`);
    const env = this.environment(options.env);
    return new Promise((resolve, reject) => {
      const child = spawn(tool, args, {
        cwd: options.cwd,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        signal: anySignal(options.signal, this.signal),
        shell: false,
      });
      const stdout: string[] = [];
      const stderr: string[] = [];
      const logged = options.quiet === true ? this.debug : this.log;
      const follow = (stream: NodeJS.ReadableStream, into: string[], sink: LineSink | undefined) => {
        let partial = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          into.push(chunk);
          if (sink === undefined) return;
          const lines = (partial + chunk).split(/\r?\n/);
          partial = lines.pop() ?? '';
          for (const line of lines) sink(this.mask.apply(line));
        });
        stream.on('end', () => {
          if (partial !== '' && sink !== undefined) sink(this.mask.apply(partial));
        });
      };
      follow(child.stdout, stdout, logged);
      follow(child.stderr, stderr, both(logged, options.onStderrLine));
      child.on('error', (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === 'ENOENT'
            ? `${tool} was not found on PATH`
            : error.name === 'AbortError'
              ? 'cancelled'
              : error.message;
        reject(new CommandError(commandLine, -1, this.mask.apply(reason)));
      });
      child.on('close', (code, signal) => {
        const result = { code: code ?? 128, stdout: stdout.join(''), stderr: stderr.join('') };
        if (result.code === 0 || options.allowFailure === true) {
          resolve(result);
          return;
        }
        const tail = (result.stderr.trim() === '' ? result.stdout : result.stderr)
          .trimEnd()
          .split(/\r?\n/)
          .slice(-TAIL_LINES)
          .join('\n');
        const how = signal === null ? result.code : 128;
        reject(new CommandError(commandLine, how, this.mask.apply(tail)));
      });
      child.stdin.on('error', () => {
        // The program exited without reading its input; its exit code tells what happened.
      });
      child.stdin.end(options.stdin ?? '');
    });
  }
}

export interface StartOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Another user to run the program as (the job being root). */
  user?: { uid: number; gid: number };
  /** where the program's output goes (created, readable by the job's user only) */
  logFile: string;
}

export interface Started {
  pid: number;
  commandLine: string;
}

function both(first: LineSink | undefined, second: LineSink | undefined): LineSink | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return (line) => {
    first(line);
    second(line);
  };
}

/** Either signal stops the program: a step's own (a download no longer needed) and the job's (a cancelled job). */
function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal) => signal !== undefined);
  return given.length > 1 ? AbortSignal.any(given) : given[0];
}
