import { describe, expect, it } from 'vitest';
import { parseBuildMetadata, platformDigests } from '../../../src/tools/metadata.js';

const INDEX = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:aa',
      platform: { architecture: 'amd64', os: 'linux' },
    },
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:bb',
      platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
    },
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:cc',
      platform: { architecture: 'unknown', os: 'unknown' },
      annotations: { 'vnd.docker.reference.digest': 'sha256:aa', 'vnd.docker.reference.type': 'attestation-manifest' },
    },
  ],
});

describe('build results', () => {
  it('reads the digest and config digest from buildx metadata', () => {
    const metadata = parseBuildMetadata(
      JSON.stringify({
        'buildx.build.ref': 'b/b0/x',
        'containerimage.descriptor': { digest: 'sha256:idx' },
        'containerimage.digest': 'sha256:idx',
        'containerimage.config.digest': 'sha256:cfg',
      }),
    );
    expect(metadata).toMatchObject({ digest: 'sha256:idx', configDigest: 'sha256:cfg' });
    expect(parseBuildMetadata('{}')).toMatchObject({ digest: undefined, configDigest: undefined });
  });

  it('lists the image manifests of an index by platform, without attestations', () => {
    expect(platformDigests(INDEX, 'sha256:idx', 'linux/amd64')).toEqual({
      'linux/amd64': 'sha256:aa',
      'linux/arm/v7': 'sha256:bb',
    });
  });

  it('a single image manifest is its own platform digest', () => {
    const manifest = JSON.stringify({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {},
      layers: [],
    });
    expect(platformDigests(manifest, 'sha256:one', 'linux/arm64')).toEqual({ 'linux/arm64': 'sha256:one' });
  });
});
