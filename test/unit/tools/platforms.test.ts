import { describe, expect, it } from 'vitest';
import {
  binfmtInstallArgs,
  missingPlatforms,
  normalizePlatform,
  parseInspectPlatforms,
} from '../../../src/tools/platforms.js';

// `docker buildx inspect --bootstrap` of a docker-container builder (buildx 0.36), on an amd64 host without QEMU,
// and a second node with it.
const INSPECT = `Name:          docker-build-1
Driver:        docker-container
Last Activity: 2026-11-22 08:00:00 +0000 UTC

Nodes:
Name:                  docker-build-10
Endpoint:              unix:///var/run/docker.sock
Driver Options:        image="registry.lab.test:5443/lab/buildkit:v0.32.2" network="host"
Status:                running
BuildKit daemon flags: --allow-insecure-entitlement=network.host
BuildKit version:      v0.32.2
Platforms:             linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/386
Labels:
 org.mobyproject.buildkit.worker.executor:         oci

Name:                  docker-build-11
Platforms:             linux/arm64*, linux/arm/v7, linux/arm/v6
`;

describe('platforms a builder can run', () => {
  it('reads every node’s Platforms line', () => {
    expect(parseInspectPlatforms(INSPECT)).toEqual([
      'linux/amd64',
      'linux/amd64/v2',
      'linux/amd64/v3',
      'linux/386',
      'linux/arm64',
      'linux/arm/v7',
      'linux/arm/v6',
    ]);
  });

  it.each([
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm', 'linux/arm/v7'],
    ['Linux/AMD64', 'linux/amd64'],
    ['linux/riscv64', 'linux/riscv64'],
  ])('normalises %s to %s', (platform, normal) => {
    expect(normalizePlatform(platform)).toBe(normal);
  });

  it('installs QEMU only for what is missing', () => {
    const supported = ['linux/amd64', 'linux/386'];
    expect(missingPlatforms(['linux/amd64'], supported)).toEqual([]);
    expect(missingPlatforms(['linux/amd64', 'linux/arm64/v8', 'linux/riscv64'], supported)).toEqual([
      'linux/arm64/v8',
      'linux/riscv64',
    ]);
    expect(missingPlatforms(['linux/arm64'], parseInspectPlatforms(INSPECT))).toEqual([]);
  });

  it('asks the binfmt image for each architecture once', () => {
    expect(binfmtInstallArgs('tonistiigi/binfmt:latest', ['linux/arm64', 'linux/arm64/v8', 'linux/riscv64'])).toEqual([
      'run',
      '--rm',
      '--privileged',
      'tonistiigi/binfmt:latest',
      '--install',
      'arm64,riscv64',
    ]);
  });
});
