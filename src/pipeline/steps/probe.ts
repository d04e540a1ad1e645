/**
 * Why a remote BuildKit over TCP did not answer buildx. buildx's remote driver retries until its deadline and then says
 * only `context deadline exceeded`, whatever the cause: nothing listening, a server certificate the CA does not sign,
 * a client certificate BuildKit refuses (buildx v0.36.1, after 20 s). After such a failure, one connection of our own
 * (the same TLS files, ALPN h2 as gRPC, the HTTP/2 preface) tells which, in milliseconds. It only explains a failure
 * buildx reported: buildx stays the judge of whether the builder works.
 */
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { BuilderFiles } from '../../tools/buildx.js';

/** HTTP/2's client preface and an empty SETTINGS frame: a gRPC server answers with its own SETTINGS. */
const PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/** What an error of Node's net or TLS layer means for a BuildKit endpoint; `host` as in the endpoint. */
export function explainProbeError(code: string | undefined, message: string, host: string): string {
  const first = message.split('\n')[0] ?? message;
  switch (code) {
    case 'ECONNREFUSED':
      return 'nothing listens there (connection refused)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${host} does not resolve (${first})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return `${host} cannot be reached (${first})`;
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR':
      return 'BuildKit refused the client certificate (tls-cert): it is not signed by a CA BuildKit trusts';
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
      return 'BuildKit asks for a client certificate: give tls-cert and tls-key';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `its server certificate is not signed by tls-ca-cert (${first})`;
    case 'CERT_HAS_EXPIRED':
      return `its server certificate has expired`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `its server certificate is not for ${host} (${first})`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'it does not speak TLS there (tls-* given, and the endpoint is plain TCP?)';
    default:
      return code === undefined ? first : `${code}: ${first}`;
  }
}

/**
 * Connects to `tcp://host:port` as buildx would (TLS when a CA or a client certificate is given) and says why it
 * fails, or undefined when it answers as a gRPC server does (then buildx's own words are all there is).
 */
export function probeEndpoint(endpoint: string, files: BuilderFiles, timeoutMs = 5_000): Promise<string | undefined> {
  const match = /^tcp:\/\/([^:/]+):([0-9]+)$/.exec(endpoint);
  if (match === null) return Promise.resolve(undefined);
  const host = match[1] ?? '';
  const port = Number(match[2]);
  const tls = files.caCert !== undefined || files.cert !== undefined;
  return new Promise((resolve) => {
    let socket: Socket;
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    try {
      socket = tls
        ? tlsConnect({
            host,
            port,
            ALPNProtocols: ['h2'],
            ...(files.caCert === undefined ? {} : { ca: readFileSync(files.caCert) }),
            ...(files.cert === undefined ? {} : { cert: readFileSync(files.cert) }),
            ...(files.key === undefined ? {} : { key: readFileSync(files.key) }),
          })
        : tcpConnect({ host, port });
    } catch (error) {
      // a TLS file Node cannot read or parse
      resolve(error instanceof Error ? error.message : String(error));
      return;
    }
    socket.setTimeout(timeoutMs, () => {
      done(`no answer within ${timeoutMs / 1000} s`);
    });
    socket.on(tls ? 'secureConnect' : 'connect', () => socket.write(PREFACE));
    socket.on('data', () => {
      done(undefined);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      done(explainProbeError(error.code, error.message, host));
    });
    socket.on('close', () => {
      done(undefined);
    });
  });
}
