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
  const images = indexImages(rawManifest);
  return images === undefined ? { [fallbackPlatform]: digest } : platformMap(images);
}

/** Platform → digest of each image. */
export function platformMap(images: readonly IndexImage[]): Record<string, string> {
  return Object.fromEntries(images.map((image) => [image.platform, image.digest]));
}

/** One platform's image in an index. */
export interface IndexImage {
  platform: string;
  digest: string;
}

/**
 * The image manifests of an index (`imagetools inspect --raw`, or `imagetools create --dry-run`), in order, attestation
 * manifests left out, a platform listed twice kept twice; undefined for a single image manifest.
 */
export function indexImages(rawManifest: string): IndexImage[] | undefined {
  const manifest = JSON.parse(rawManifest) as { mediaType?: string; manifests?: Descriptor[] };
  if (!INDEX_TYPES.has(manifest.mediaType ?? '') && manifest.manifests === undefined) return undefined;
  const images: IndexImage[] = [];
  for (const entry of manifest.manifests ?? []) {
    const platform = entry.platform;
    if (entry.digest === undefined || platform?.os === undefined || platform.architecture === undefined) continue;
    if (platform.os === 'unknown' || entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') {
      continue;
    }
    images.push({
      platform: [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/'),
      digest: entry.digest,
    });
  }
  return images;
}

/** The platform of an image config (`imagetools inspect --format '{{json .Image}}'` of one image manifest). */
export function configPlatform(rawConfig: string): string | undefined {
  const config = JSON.parse(rawConfig) as { os?: string; architecture?: string; variant?: string };
  if (config.os === undefined || config.architecture === undefined) return undefined;
  return [config.os, config.architecture, config.variant].filter(Boolean).join('/');
}
