/**
 * `driver: buildkitd`: BuildKit with no daemon beforehand. The job starts `buildkitd` itself (rootful as root, else
 * rootless through rootlesskit), on a socket in the run's private directory, waits until it answers, and puts it on
 * the cleanup stack: it is stopped on every exit path, a cancel included. buildx's `remote` driver then talks to it;
 * no Docker engine is involved.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../step.js';

export interface Daemon {
  endpoint: string;
  mode: 'rootful' | 'rootless';
}

/** How long buildkitd may take to answer on its socket. */
const READY_MS = 60_000;

/** CAP_SYS_ADMIN's bit in a capability set: what a rootful BuildKit needs to mount its snapshots. */
const CAP_SYS_ADMIN = 21n;

/** Whether `CapEff` of /proc/self/status holds CAP_SYS_ADMIN; undefined when it cannot be read. */
export function hasSysAdmin(status: string | undefined): boolean | undefined {
  const hex = status === undefined ? undefined : /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return hex === undefined ? undefined : ((BigInt(`0x${hex}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
}

/**
 * Rootful as root with CAP_SYS_ADMIN (a privileged container, a VM); rootless through rootlesskit as any other user.
 * Root without CAP_SYS_ADMIN (an unprivileged container) can do neither: BuildKit would start, then fail its first
 * mount; rootlesskit does not run as root. That is said before anything starts.
 */
export function buildkitdMode(
  uid: number | undefined,
  sysAdmin: boolean | undefined = true,
): { mode: Daemon['mode']; reason: string } {
  if (uid !== 0) return { mode: 'rootless', reason: `the job runs as uid ${uid ?? '?'}: rootless through rootlesskit` };
  if (sysAdmin) return { mode: 'rootful', reason: 'the job runs as root' };
  throw new Error(
    'driver buildkitd: the job runs as root without CAP_SYS_ADMIN (an unprivileged container): rootful BuildKit ' +
      'cannot mount its snapshots there, and rootlesskit does not run as root. Run the job as a user with ' +
      '/etc/subuid and /etc/subgid ranges (rootless; seccomp and AppArmor must allow user namespaces), in a privileged ' +
      'container, or use driver remote with a BuildKit service',
  );
}

/** buildkitd's argument list (after rootlesskit's, when rootless). */
export function buildkitdArgs(dir: string, mode: Daemon['mode'], configFile: string | undefined): string[] {
  return [
    `--addr=unix://${join(dir, 'buildkitd.sock')}`,
    `--root=${join(dir, 'root')}`,
    // Rootful, buildkitd would otherwise take /run/buildkit/otel-grpc.sock: a path of the machine, which it unlinks
    // and recreates (another job's daemon loses its own) and leaves behind when it stops.
    `--otel-socket-path=${join(dir, 'otel-grpc.sock')}`,
    // Its own OCI worker only: with `auto`, a machine's containerd (/run/containerd/containerd.sock, as on GitHub's
    // runners) would become a second worker, keeping the job's images and cache in that containerd, after the job.
    '--containerd-worker=false',
    ...(configFile === undefined ? [] : [`--config=${configFile}`]),
    // Without privileges a process sandbox (a PID namespace per step) cannot be made.
    ...(mode === 'rootless' ? ['--oci-worker-no-process-sandbox'] : []),
  ];
}

export async function startBuildkitd(
  step: StepContext,
  configFile: string | undefined,
  uid: number | undefined = process.getuid?.(),
  status: string | undefined = readStatus(),
): Promise<Daemon> {
  const dir = join(step.docker.workDir, 'buildkitd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { mode, reason } = buildkitdMode(uid, hasSysAdmin(status));
  step.reporter.info(`buildkitd: ${mode} (${reason})`);
  const logFile = join(dir, 'buildkitd.log');
  const args = buildkitdArgs(dir, mode, configFile);
  const env = mode === 'rootless' ? { XDG_RUNTIME_DIR: dir } : {};
  const started =
    mode === 'rootful'
      ? await step.runner.start('buildkitd', args, { logFile, env })
      : await step.runner.start('rootlesskit', [`--state-dir=${join(dir, 'rootlesskit')}`, 'buildkitd', ...args], {
          logFile,
          env,
        });
  step.cleanup.push({ kind: 'process', name: 'buildkitd', pid: started.pid });
  const endpoint = `unix://${join(dir, 'buildkitd.sock')}`;
  await ready(step, endpoint, started.pid, logFile);
  step.reporter.info(`buildkitd answers on ${endpoint} (pid ${started.pid})`);
  return { endpoint, mode };
}

/** Waits until buildctl gets an answer on the socket; a daemon that exits or never answers fails with its log's end. */
async function ready(step: StepContext, endpoint: string, pid: number, logFile: string): Promise<void> {
  const tail = () => (existsSync(logFile) ? logTail(readFileSync(logFile, 'utf8')) : '');
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (!alive(pid)) throw new Error(`buildkitd exited before it answered on ${endpoint}:\n${tail()}`);
    const probe = await step.runner.run('buildctl', [`--addr=${endpoint}`, 'debug', 'workers'], {
      quiet: true,
      allowFailure: true,
    });
    if (probe.code === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`buildkitd did not answer on ${endpoint} within ${READY_MS / 1000}s:\n${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The last lines of buildkitd's log that say something: it ends a fatal error with the Go stack of where it was
 * wrapped (pkg/errors' `%+v`: a function line, then its `\tfile:line`), which would push the reason itself out of the
 * tail. Those frames are left out.
 */
export function logTail(log: string, count = 10): string {
  const lines = log.trimEnd().split('\n');
  const frame = (index: number) => lines[index]?.startsWith('\t') === true;
  return lines
    .filter((_line, index) => !frame(index) && !frame(index + 1))
    .slice(-count)
    .join('\n');
}

function readStatus(): string | undefined {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
