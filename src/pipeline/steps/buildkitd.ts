/**
 * `driver: buildkitd`: BuildKit with no daemon beforehand. The job starts `buildkitd` itself, rootless through
 * rootlesskit where user namespaces are allowed and rootful otherwise, on a socket in a private directory, waits until
 * it answers, and puts it on the cleanup stack: it is stopped on every exit path, a cancel included. buildx's `remote`
 * driver then talks to it; no Docker engine is involved.
 */
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepContext } from '../step.js';

export interface Daemon {
  endpoint: string;
  mode: 'rootful' | 'rootless';
}

/** A user rootless BuildKit runs as: the job's own, or one the image set up for it when the job is root. */
export interface RootlessUser {
  name: string;
  uid: number;
  gid: number;
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
 * The user a root job runs rootless BuildKit as: the first of /etc/subuid that /etc/subgid and /etc/passwd know and
 * that is not root (the runner image's `buildkit`, as BuildKit's own rootless image has `user`).
 */
export function rootlessUser(passwd: string, subuid: string, subgid: string): RootlessUser | undefined {
  const owners = (text: string) => new Set(text.split('\n').map((line) => line.split(':')[0] ?? ''));
  const withGids = owners(subgid);
  for (const owner of owners(subuid)) {
    if (owner === '' || !withGids.has(owner)) continue;
    const entry = passwd
      .split('\n')
      .map((line) => line.split(':'))
      .find(([name, , uid]) => name === owner || uid === owner);
    const [name, , uid, gid] = entry ?? [];
    if (name === undefined || uid === undefined || gid === undefined || uid === '0') continue;
    return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** The modes to try, in order, and why: rootless first where a user can run it, rootful where root may mount. */
export interface Attempts {
  rootless?: { user?: RootlessUser; reason: string };
  rootful?: { reason: string };
}

/**
 * Rootless through rootlesskit for a job that is not root, or, for root, as the image's rootless user; rootful as root
 * with CAP_SYS_ADMIN (a privileged container, a VM), tried when rootless is not possible or does not start (user
 * namespaces not allowed). Root without CAP_SYS_ADMIN and without a rootless user can do neither: BuildKit would
 * start, then fail its first mount; rootlesskit does not run as root. That is said before anything starts.
 */
export function buildkitdAttempts(
  uid: number | undefined,
  sysAdmin: boolean | undefined,
  user: RootlessUser | undefined,
): Attempts {
  if (uid !== 0) return { rootless: { reason: `the job runs as uid ${uid ?? '?'}` } };
  const rootful = sysAdmin !== false ? { rootful: { reason: 'the job runs as root with CAP_SYS_ADMIN' } } : {};
  if (user !== undefined) {
    return { rootless: { user, reason: `as ${user.name} (uid ${user.uid}), the image's rootless user` }, ...rootful };
  }
  if (sysAdmin !== false) return rootful;
  throw new Error(
    'driver buildkitd: the job runs as root without CAP_SYS_ADMIN (an unprivileged container) and the image has no ' +
      'user with /etc/subuid and /etc/subgid ranges: rootful BuildKit cannot mount its snapshots there, and ' +
      'rootlesskit does not run as root. Use the runner image (its user buildkit runs BuildKit rootless where seccomp ' +
      'and AppArmor allow user namespaces), a privileged container, or builder buildkit-service',
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

export interface Machine {
  uid: number | undefined;
  /** /proc/self/status */
  status: string | undefined;
  /** /etc/passwd, /etc/subuid, /etc/subgid */
  passwd: string;
  subuid: string;
  subgid: string;
}

export async function startBuildkitd(
  step: StepContext,
  configFile: string | undefined,
  machine: Machine = thisMachine(),
): Promise<Daemon> {
  const user = machine.uid === 0 ? rootlessUser(machine.passwd, machine.subuid, machine.subgid) : undefined;
  const attempts = buildkitdAttempts(machine.uid, hasSysAdmin(machine.status), user);
  if (attempts.rootless !== undefined) {
    const { reason, user: as } = attempts.rootless;
    try {
      return await start(step, 'rootless', reason, configFile, as);
    } catch (error) {
      if (attempts.rootful === undefined) {
        throw new Error(
          'driver buildkitd: rootless BuildKit did not start, and rootful needs CAP_SYS_ADMIN, which the job does not ' +
            'have: user namespaces are refused here (a seccomp or AppArmor profile, or the kernel). Allow them ' +
            '(seccomp and AppArmor unconfined), run the job privileged, or use a BuildKit service. ' +
            (error as Error).message,
          { cause: error },
        );
      }
      // Where user namespaces are not allowed (seccomp, AppArmor, a sysctl), a privileged job still has rootful.
      step.reporter.warning(`buildkitd: rootless did not start, so rootful: ${(error as Error).message}`);
    }
  }
  return start(step, 'rootful', attempts.rootful?.reason ?? '', configFile, undefined);
}

async function start(
  step: StepContext,
  mode: Daemon['mode'],
  reason: string,
  configFile: string | undefined,
  user: RootlessUser | undefined,
): Promise<Daemon> {
  step.reporter.info(`buildkitd: ${mode} (${reason})`);
  const dir = daemonDir(step, mode, user);
  const config = configFile === undefined || user === undefined ? configFile : ownCopy(configFile, dir, user);
  const logFile = join(dir, 'buildkitd.log');
  const args = buildkitdArgs(dir, mode, config);
  const env = mode === 'rootless' ? { XDG_RUNTIME_DIR: dir, ...(user === undefined ? {} : { HOME: dir }) } : {};
  const started =
    mode === 'rootful'
      ? await step.runner.start('buildkitd', args, { logFile, env })
      : await step.runner.start('rootlesskit', [`--state-dir=${join(dir, 'rootlesskit')}`, 'buildkitd', ...args], {
          logFile,
          env,
          ...(user === undefined ? {} : { user: { uid: user.uid, gid: user.gid } }),
        });
  step.cleanup.push({ kind: 'process', name: 'buildkitd', pid: started.pid });
  const endpoint = `unix://${join(dir, 'buildkitd.sock')}`;
  await ready(step, endpoint, started.pid, logFile);
  step.reporter.info(`buildkitd answers on ${endpoint} (pid ${started.pid})`);
  return { endpoint, mode };
}

/**
 * The daemon's directory: in the run's private directory, or, for another user (who cannot enter that one), a
 * directory of that user's alone in the temporary directory, removed at the end after the daemon stops.
 */
function daemonDir(step: StepContext, mode: Daemon['mode'], user: RootlessUser | undefined): string {
  if (user === undefined) {
    const dir = join(step.docker.workDir, `buildkitd-${mode}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
  const dir = mkdtempSync(join(tmpdir(), 'docker-build-buildkitd-'));
  step.cleanup.push({ kind: 'directory', path: dir });
  chownSync(dir, user.uid, user.gid);
  return dir;
}

/** The buildkitd.toml the daemon's user can read: a copy in its own directory. */
function ownCopy(file: string, dir: string, user: RootlessUser): string {
  const copy = join(dir, 'buildkitd.toml');
  copyFileSync(file, copy);
  chownSync(copy, user.uid, user.gid);
  return copy;
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

function thisMachine(): Machine {
  return {
    uid: process.getuid?.(),
    status: readOr('/proc/self/status', undefined),
    passwd: readOr('/etc/passwd', ''),
    subuid: readOr('/etc/subuid', ''),
    subgid: readOr('/etc/subgid', ''),
  };
}

function readOr<T extends string | undefined>(path: string, fallback: T): string | T {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
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
