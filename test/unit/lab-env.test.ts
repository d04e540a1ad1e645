import { describe, expect, it } from 'vitest';
import { parseLabEnv } from '../e2e/helpers/lab-env.js';

const EXPORTS = `export LAB_HOME=/var/lib/docker-build-lab
export LAB_REGISTRY=127.0.0.1:5443
export LAB_REGISTRY2=127.0.0.1:5444
export LAB_BASE_IMAGE=127.0.0.1:5443/lab/busybox:1
export LAB_BUILDKIT_IMAGE=127.0.0.1:5443/lab/buildkit:v0.32.2
export LAB_TRIVY_DB_REPOSITORY=registry.lab.test:5443/lab/trivy-db:2
export LAB_RUNNER_BASE_IMAGE=registry.lab.test:5443/lab/runner-base:1
export LAB_CA_CERT=/var/lib/docker-build-lab/ca/ca.crt
export LAB_SBOM_SCANNER_IMAGE=registry.lab.test:5443/lab/buildkit-syft-scanner:syft-v1.57.2
export LAB_REGISTRY_USER=lab
export LAB_REGISTRY_PASSWORD=0123abcd
export LAB_REGISTRY2_USER=lab2
export LAB_REGISTRY2_PASSWORD=4567ef
export LAB_PLATFORMS=linux/amd64,linux/arm64
`;

describe('parseLabEnv', () => {
  it('reads what lab.sh env prints', () => {
    expect(parseLabEnv(EXPORTS)).toEqual({
      home: '/var/lib/docker-build-lab',
      registry: '127.0.0.1:5443',
      registryUser: 'lab',
      registryPassword: '0123abcd',
      registry2: '127.0.0.1:5444',
      registry2User: 'lab2',
      registry2Password: '4567ef',
      baseImage: '127.0.0.1:5443/lab/busybox:1',
      buildkitImage: '127.0.0.1:5443/lab/buildkit:v0.32.2',
      trivyDbRepository: 'registry.lab.test:5443/lab/trivy-db:2',
      runnerBaseImage: 'registry.lab.test:5443/lab/runner-base:1',
      sbomScannerImage: 'registry.lab.test:5443/lab/buildkit-syft-scanner:syft-v1.57.2',
      caCert: '/var/lib/docker-build-lab/ca/ca.crt',
      platforms: ['linux/amd64', 'linux/arm64'],
    });
  });

  it('undoes printf %q backslash escapes', () => {
    expect(parseLabEnv(EXPORTS.replace('/ca/ca.crt', '/c\\ a/ca.crt')).caCert).toBe(
      '/var/lib/docker-build-lab/c a/ca.crt',
    );
  });

  it('names a missing variable', () => {
    expect(() => parseLabEnv(EXPORTS.replace(/^export LAB_CA_CERT=.*$/m, ''))).toThrow(/lab env lacks LAB_CA_CERT/);
  });

  it('rejects quoting it does not expect', () => {
    expect(() => parseLabEnv(`${EXPORTS}export LAB_HOME=$'a\\nb'\n`)).toThrow(/unexpected quoting/);
  });
});
