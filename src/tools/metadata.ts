/** Reading what buildx and the registry say about a build: the metadata file, and an index's platforms. */

export interface BuildMetadata {
  /** The pushed (or exported) image's digest: the index for a multi-platform build. */
  digest: string | undefined;
  /** The image config digest: the image ID of a loaded image. */
  configDigest: string | undefined;
  raw: Record<string, unknown>;
}

export function parseBuildMetadata(text: string): BuildMetadata {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const digest = raw['containerimage.digest'];
  const configDigest = raw['containerimage.config.digest'];
  return {
    digest: typeof digest === 'string' ? digest : undefined,
    configDigest: typeof configDigest === 'string' ? configDigest : undefined,
    raw,
  };
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/**
 * Platform → digest of each image manifest of an index (`imagetools inspect --raw`), attestation manifests left out.
 * For a single image manifest, `{ [fallbackPlatform]: digest }`.
 */
export function platformDigests(rawManifest: string, digest: string, fallbackPlatform: string): Record<string, string> {
  const manifest = JSON.parse(rawManifest) as { mediaType?: string; manifests?: Descriptor[] };
  if (!INDEX_TYPES.has(manifest.mediaType ?? '') && manifest.manifests === undefined) {
    return { [fallbackPlatform]: digest };
  }
  const result: Record<string, string> = {};
  for (const entry of manifest.manifests ?? []) {
    const platform = entry.platform;
    if (entry.digest === undefined || platform?.os === undefined || platform.architecture === undefined) continue;
    if (platform.os === 'unknown' || entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') {
      continue;
    }
    const name = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
    result[name] = entry.digest;
  }
  return result;
}
