// Docker-in-Docker with TLS as GitLab sets it up: buildx takes such an engine only through a Docker context.
import { describe, expect, it } from 'vitest';
import { tlsEngineOf } from '../../../src/pipeline/docker-env.js';
import { createContextArgs } from '../../../src/tools/buildx.js';

describe('an engine over TCP with TLS', () => {
  const dind = { DOCKER_HOST: 'tcp://docker:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs/client' };

  it('is found from DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, the certificates named as the CLI names them', () => {
    expect(tlsEngineOf(dind)).toEqual({
      host: 'tcp://docker:2376',
      ca: '/certs/client/ca.pem',
      cert: '/certs/client/cert.pem',
      key: '/certs/client/key.pem',
    });
    // without DOCKER_CERT_PATH the CLI reads them from its config directory
    expect(tlsEngineOf({ ...dind, DOCKER_CERT_PATH: undefined, DOCKER_CONFIG: '/home/u/.docker' })?.ca).toBe(
      '/home/u/.docker/ca.pem',
    );
  });

  it('is not one without TLS verification, on a socket, or with no DOCKER_HOST', () => {
    expect(tlsEngineOf({ ...dind, DOCKER_TLS_VERIFY: '' })).toBeUndefined();
    expect(tlsEngineOf({ DOCKER_HOST: 'tcp://docker:2375' })).toBeUndefined();
    expect(tlsEngineOf({ ...dind, DOCKER_HOST: 'unix:///var/run/docker.sock' })).toBeUndefined();
    expect(tlsEngineOf({})).toBeUndefined();
  });

  it('becomes a Docker context the builder is created on', () => {
    const engine = tlsEngineOf(dind);
    expect(engine && createContextArgs('docker-build-1', engine)).toEqual([
      'context',
      'create',
      'docker-build-1',
      '--docker',
      'host=tcp://docker:2376,ca=/certs/client/ca.pem,cert=/certs/client/cert.pem,key=/certs/client/key.pem',
    ]);
  });
});
