// Stand-ins for GitHub's hosts, for runs behind a proxy: one TLS server with a certificate for api.github.com,
// github.com and objects.githubusercontent.com made by a throwaway CA (openssl, in a temporary directory), trusted by
// Node through NODE_EXTRA_CA_CERTS. The proxy connects those names to it; nothing else trusts that CA.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GITHUB_NAMES = ['api.github.com', 'github.com', 'objects.githubusercontent.com'] as const;

export interface GithubStandin {
  /** `127.0.0.1:PORT`, where a proxy connects the GitHub names */
  address: string;
  /** the throwaway CA's certificate: NODE_EXTRA_CA_CERTS */
  caFile: string;
  /** `host path` of every request served */
  served: string[];
  /** the proxy routes: each GitHub name on 443 to this server */
  routes: Record<string, string>;
  /** the SHA-256 of the Trivy archive served: made here, so never the digest docker-build pins for the release */
  trivySha256: string | undefined;
  close(): Promise<void>;
}

export interface GithubStandinOptions {
  /** the answer of GET /repos/<repository> on api.github.com */
  repository: { slug: string; body: Record<string, unknown> };
  /** Trivy's release (`trivy_<v>_Linux-64bit.tar.gz` and the checksums file), made from this trivy binary */
  trivy?: { version: string; binary: string };
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a server certificate for the GitHub names, in `dir`. */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    dir,
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=e2e throwaway CA',
  );
  openssl(dir, 'req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=github.com');
  writeFileSync(
    join(dir, 'server.ext'),
    `subjectAltName=${GITHUB_NAMES.map((name) => `DNS:${name}`).join(',')}\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  );
}

/**
 * Trivy's release files, as GitHub serves them: the archive holds `trivy`, the checksum file its SHA-256. Made from
 * the lab's binary, the archive is not the real release: docker-build's pins refuse it, as they would a replaced one.
 */
function makeTrivyRelease(
  dir: string,
  version: string,
  binary: string,
): { files: Map<string, string>; sha256: string } {
  const bare = version.replace(/^v/, '');
  const archive = `trivy_${bare}_Linux-64bit.tar.gz`;
  const checksums = `trivy_${bare}_checksums.txt`;
  copyFileSync(realpathSync(binary), join(dir, 'trivy'));
  execFileSync('tar', ['-czf', archive, 'trivy'], { cwd: dir });
  const sum = createHash('sha256')
    .update(readFileSync(join(dir, archive)))
    .digest('hex');
  writeFileSync(join(dir, checksums), `${'0'.repeat(64)}  trivy_${bare}_macOS-64bit.tar.gz\n${sum}  ${archive}\n`);
  const files = new Map([
    [archive, join(dir, archive)],
    [checksums, join(dir, checksums)],
  ]);
  return { files, sha256: sum };
}

export async function startGithubStandin(options: GithubStandinOptions): Promise<GithubStandin> {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-github-'));
  makeCertificates(dir);
  const made =
    options.trivy === undefined ? undefined : makeTrivyRelease(dir, options.trivy.version, options.trivy.binary);
  const release = made?.files ?? new Map<string, string>();
  const releases = `/aquasecurity/trivy/releases/download/${options.trivy?.version ?? 'none'}/`;
  const served: string[] = [];
  const server: Server = createServer(
    { cert: readFileSync(join(dir, 'server.crt')), key: readFileSync(join(dir, 'server.key')) },
    (req, res) => {
      const host = (req.headers.host ?? '').replace(/:443$/, '');
      const path = req.url ?? '';
      served.push(`${host} ${path}`);
      if (host === 'api.github.com' && path === `/repos/${options.repository.slug}`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(options.repository.body));
        return;
      }
      const name = path.startsWith(releases) ? path.slice(releases.length) : '';
      const file = release.get(name);
      if (host === 'github.com' && file !== undefined && name.endsWith('.tar.gz')) {
        // As GitHub does: the archive is on another host, behind a redirect.
        res.writeHead(302, { location: `https://objects.githubusercontent.com/release-assets/${name}` }).end();
        return;
      }
      const asset = path.startsWith('/release-assets/')
        ? release.get(path.slice('/release-assets/'.length))
        : undefined;
      const body = host === 'github.com' ? file : host === 'objects.githubusercontent.com' ? asset : undefined;
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(body));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    caFile: join(dir, 'ca.crt'),
    served,
    routes: Object.fromEntries(GITHUB_NAMES.map((name) => [`${name}:443`, address])),
    trivySha256: made?.sha256,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
