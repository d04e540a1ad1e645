import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { explainProbeError, probeEndpoint } from '../../../../src/pipeline/steps/probe.js';

describe('why a remote BuildKit did not answer', () => {
  // the codes and messages Node 20 gave against buildkitd v0.32.2 in the lab
  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9', 'nothing listens there (connection refused)'],
    [
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      'error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 48\n',
      'BuildKit refused the client certificate (tls-cert): it is not signed by a CA BuildKit trusts',
    ],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:SSL alert number 116\n',
      'BuildKit asks for a client certificate: give tls-cert and tls-key',
    ],
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'unable to verify the first certificate',
      'its server certificate is not signed by tls-ca-cert (unable to verify the first certificate)',
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: 127.0.0.1",
      "its server certificate is not for 10.0.0.1 (Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: 127.0.0.1)",
    ],
    ['EPIPE', 'write EPIPE', 'EPIPE: write EPIPE'],
  ])('%s', (code, message, said) => {
    expect(explainProbeError(code, message, '10.0.0.1')).toBe(said);
  });

  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  /** A loopback server: `answer` says whether it writes back after the client's first bytes. */
  async function listen(answer: boolean): Promise<number> {
    const listening = createServer((socket) => {
      socket.on('data', () => {
        if (answer) socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]));
      });
      socket.on('error', () => undefined);
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const address = listening.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  it('a closed port: nothing listens there', async () => {
    const port = await listen(false);
    server?.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await probeEndpoint(`tcp://127.0.0.1:${port}`, {})).toBe('nothing listens there (connection refused)');
  });

  it('a server that answers the HTTP/2 preface: nothing to add to what buildx said', async () => {
    const port = await listen(true);
    expect(await probeEndpoint(`tcp://127.0.0.1:${port}`, {})).toBeUndefined();
  });

  it('a server that never answers: says how long it waited', async () => {
    const port = await listen(false);
    expect(await probeEndpoint(`tcp://127.0.0.1:${port}`, {}, 200)).toBe('no answer within 0.2 s');
  });

  it('a TLS file that cannot be read: said, not thrown', async () => {
    expect(await probeEndpoint('tcp://127.0.0.1:9', { caCert: '/nonexistent/ca.pem' })).toMatch(/ENOENT.*ca\.pem/);
  });

  it('not tcp://host:port: no probe', async () => {
    expect(await probeEndpoint('unix:///run/buildkit/buildkitd.sock', {})).toBeUndefined();
  });
});
