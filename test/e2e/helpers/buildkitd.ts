/**
 * BuildKit daemons a test starts itself (the remote builders docker-build is pointed at), and the certificates of mutual
 * TLS, made with openssl from the lab CA (or from a CA the test makes, which BuildKit does not trust).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { must, run } from './run.js';

export interface Pem {
  cert: string;
  key: string;
}

/** A port nothing listens on now: the kernel's pick for a listener closed at once. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** A CA of the test's own (BuildKit trusts only the lab's): for client certificates that must be refused. */
export async function makeCa(dir: string, name: string): Promise<Pem> {
  const pem = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await must('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
    '-keyout',
    pem.key,
    '-out',
    pem.cert,
  ]);
  return pem;
}

/**
 * A certificate signed by `ca`, for a server (`subjectAltName` 127.0.0.1 and localhost) or a client. A random serial:
 * the lab CA's serial file is not the test's to write. The lab CA is name-constrained (lab.test, localhost,
 * 127.0.0.0/8): the client's name is in lab.test.
 */
export async function makeCert(dir: string, name: string, role: 'server' | 'client', ca: Pem): Promise<Pem> {
  const pem = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await must('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    pem.key,
    '-out',
    csr,
  ]);
  writeFileSync(
    ext,
    role === 'server'
      ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
      : `subjectAltName=DNS:${name}.lab.test\nextendedKeyUsage=clientAuth\n`,
  );
  const serial = `0x${Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('')}`;
  await must('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    serial,
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    pem.cert,
  ]);
  return pem;
}

export interface DaemonOptions {
  /** `tcp://127.0.0.1:PORT` or `unix:///path` */
  addr: string;
  /** its state and log live here */
  dir: string;
  /** mutual TLS: the server's certificate and key, and the CA its clients' certificates must come from */
  tls?: { cert: string; key: string; clientCa: string };
  /** the one platform its worker declares (`--oci-worker-platform`) */
  platform?: string;
  /** how buildctl reaches it, to wait for it: the TLS files of a client */
  client?: { ca: string; cert: string; key: string };
}

export interface Daemon {
  addr: string;
  pid: number;
  logFile: string;
  /** SIGTERM, then waits for it to exit (SIGKILL after 15 s) */
  stop(): Promise<void>;
}

/** Starts buildkitd (as root, OCI worker only: the engine's containerd is not its business) and waits until it answers. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const logFile = join(options.dir, 'buildkitd.log');
  const args = [
    `--addr=${options.addr}`,
    `--root=${join(options.dir, 'root')}`,
    // not /run/buildkit's, which every rootful buildkitd would share
    `--otel-socket-path=${join(options.dir, 'otel-grpc.sock')}`,
    '--containerd-worker=false',
    ...(options.platform === undefined ? [] : [`--oci-worker-platform=${options.platform}`]),
    ...(options.tls === undefined
      ? []
      : [`--tlscert=${options.tls.cert}`, `--tlskey=${options.tls.key}`, `--tlscacert=${options.tls.clientCa}`]),
  ];
  const out = openSync(logFile, 'a', 0o600);
  const child: ChildProcess = spawn('buildkitd', args, { stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      resolve();
    }),
  );
  const daemon: Daemon = {
    addr: options.addr,
    pid: child.pid ?? -1,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  const tls =
    options.client === undefined
      ? []
      : [`--tlscacert=${options.client.ca}`, `--tlscert=${options.client.cert}`, `--tlskey=${options.client.key}`];
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null)
      throw new Error(`buildkitd exited ${child.exitCode}:\n${readFileSync(logFile, 'utf8')}`);
    if ((await run('buildctl', [`--addr=${options.addr}`, ...tls, 'debug', 'workers'])).code === 0) return daemon;
    if (tries > 120) {
      await daemon.stop();
      throw new Error(`buildkitd did not answer on ${options.addr}:\n${readFileSync(logFile, 'utf8')}`);
    }
    await sleep(250);
  }
}

/** The build log a daemon keeps of every build record (buildctl debug histories, then logs): what it built. */
export async function daemonBuildLogs(addr: string, tls: readonly string[] = []): Promise<string> {
  const buildctl = async (...args: string[]) => (await must('buildctl', [`--addr=${addr}`, ...tls, ...args])).stdout;
  const stdout = await buildctl('debug', 'histories', '--format', 'json');
  const refs = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { record?: { Ref?: string } }).record?.Ref ?? '')
    .filter((ref) => ref !== '');
  const logs = await Promise.all(refs.map((ref) => buildctl('debug', 'logs', ref)));
  return logs.join('\n');
}

/** Processes whose command line contains `needle` (from /proc: pgrep -f's view, without its pattern syntax). */
export function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (
        readFileSync(join('/proc', entry, 'cmdline'), 'utf8')
          .split('\0')
          .join(' ')
          .includes(needle)
      ) {
        found.push(Number(entry));
      }
    } catch {
      // gone
    }
  }
  return found;
}
