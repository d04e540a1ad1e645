// Promote's and merge's images by digest: a stand-in `docker` (a small registry in a JSON file) answers `imagetools
// inspect` and `imagetools create`, and records every call.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectSource, mergeSources, taggedDigest } from '../../../../src/pipeline/steps/sources.js';
import { testStep } from '../../helpers/step.js';

const REPO = 'registry.example.com/team/app';
const manifest = (n: string) => `sha256:${n.repeat(64)}`;

/** An index as buildx pushes one platform with its provenance: the image and an attestation manifest. */
function oneIndex(platform: [string, string], image: string) {
  return JSON.stringify({
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: image,
        platform: { os: platform[0], architecture: platform[1] },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: manifest('f'),
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
    ],
  });
}

const STAND_IN = `#!/usr/bin/env node
const fs = require('node:fs');
const crypto = require('node:crypto');
const dir = __dirname;
const args = process.argv.slice(2);
fs.appendFileSync(dir + '/calls', args.join(' ') + '\\n');
const registry = JSON.parse(fs.readFileSync(dir + '/registry.json', 'utf8'));
const ref = args[args.length - 1];
if (args[1] === 'imagetools' && args[2] === 'inspect') {
  const raw = registry[ref];
  if (raw === undefined) { process.stderr.write('ERROR: ' + ref + ': not found\\n'); process.exit(1); }
  if (args.includes('--raw')) { process.stdout.write(raw); process.exit(0); }
  const parsed = JSON.parse(raw);
  if (args.some((a) => a.includes('.Image'))) { process.stdout.write(JSON.stringify(parsed.config ?? {})); process.exit(0); }
  process.stdout.write(JSON.stringify({ digest: parsed.digest })); process.exit(0);
}
if (args[1] === 'imagetools' && args[2] === 'create') {
  const sources = args.filter((a) => a.includes('@sha256:') && !a.startsWith('--'));
  const manifests = sources.flatMap((s) => {
    const parsed = JSON.parse(registry[s]);
    return parsed.manifests ?? [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: s.split('@')[1], platform: parsed.config }];
  });
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, null, 2);
  if (args.includes('--dry-run')) { process.stdout.write(index + '\\n'); process.exit(0); }
  const file = args.find((a) => a.startsWith('--metadata-file=')).slice('--metadata-file='.length);
  const digest = 'sha256:' + crypto.createHash('sha256').update(index).digest('hex');
  fs.writeFileSync(file, JSON.stringify({ 'containerimage.descriptor': { digest } }));
  process.exit(0);
}
process.exit(3);
`;

function setup(registry: Record<string, string>) {
  const { dir, step, log, calls } = testStep('sources-', { standIns: true });
  writeFileSync(join(dir, 'registry.json'), JSON.stringify(registry));
  writeFileSync(join(dir, 'docker'), STAND_IN);
  chmodSync(join(dir, 'docker'), 0o755);
  return { dir, step, log, calls };
}

const AMD = `${REPO}@${manifest('a')}`;
const ARM = `${REPO}@${manifest('b')}`;
const SINGLE = `${REPO}@${manifest('c')}`;
const REGISTRY = {
  [AMD]: oneIndex(['linux', 'amd64'], manifest('1')),
  [ARM]: oneIndex(['linux', 'arm64'], manifest('2')),
  [SINGLE]: JSON.stringify({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { os: 'linux', architecture: 'arm', variant: 'v7' },
  }),
};

describe("merge's sources", () => {
  it('two one-platform images become one index, pushed by the digest of the dry run, with no tag', async () => {
    const { step, calls, dir } = setup(REGISTRY);
    const merged = await mergeSources(step, 'b', [AMD, ARM]);
    expect(merged.repository).toBe(REPO);
    expect(merged.platformDigests).toEqual({ 'linux/amd64': manifest('1'), 'linux/arm64': manifest('2') });
    const create = calls().filter((call) => call.includes('imagetools create'));
    expect(create).toHaveLength(2);
    expect(create[0]).toContain('--dry-run');
    expect(create[1]).toContain(`--tag=${REPO}@${merged.digest}`);
    expect(create[1]?.match(/--tag=/g)).toHaveLength(1);
    const pushed = JSON.parse(readFileSync(join(dir, 'merge-metadata.json'), 'utf8')) as Record<
      string,
      { digest: string }
    >;
    expect(pushed['containerimage.descriptor']?.digest).toBe(merged.digest);
  });

  it('not pushing (push: false, a merge request): the dry run only, the gates judge the platforms’ own images', async () => {
    const { step, calls } = setup(REGISTRY);
    const merged = await mergeSources(step, 'b', [AMD, ARM], false);
    expect(merged.platformDigests).toEqual({ 'linux/amd64': manifest('1'), 'linux/arm64': manifest('2') });
    const create = calls().filter((call) => call.includes('imagetools create'));
    expect(create).toHaveLength(1);
    expect(create[0]).toContain('--dry-run');
  });

  it('an image manifest without an index counts with the platform of its config', async () => {
    const { step } = setup(REGISTRY);
    const merged = await mergeSources(step, 'b', [AMD, SINGLE]);
    expect(Object.keys(merged.platformDigests)).toEqual(['linux/amd64', 'linux/arm/v7']);
  });

  it('a platform given twice is refused, naming both sources, before anything is pushed', async () => {
    const other = `${REPO}@${manifest('d')}`;
    const { step, calls } = setup({ ...REGISTRY, [other]: oneIndex(['linux', 'amd64'], manifest('3')) });
    await expect(mergeSources(step, 'b', [AMD, other])).rejects.toThrow(
      `Invalid sources "${AMD}, ${other}": both hold linux/amd64: each matrix job must build a platform of its own`,
    );
    expect(calls().some((call) => call.includes('imagetools create'))).toBe(false);
  });

  it('a digest the registry does not have is refused, naming it', async () => {
    const missing = `${REPO}@${manifest('e')}`;
    const { step, calls } = setup(REGISTRY);
    await expect(mergeSources(step, 'b', [AMD, missing])).rejects.toThrow(
      `Invalid sources "${missing}": no such image in the registry`,
    );
    expect(calls().some((call) => call.includes('imagetools create'))).toBe(false);
  });
});

describe("promote's source", () => {
  it('is read with its platforms, attestations left out', async () => {
    const { step } = setup(REGISTRY);
    const source = await inspectSource(step, 'b', AMD, 'source');
    expect(source).toEqual({
      reference: AMD,
      digest: manifest('a'),
      images: [{ platform: 'linux/amd64', digest: manifest('1') }],
    });
  });

  it('a missing one names the input source', async () => {
    const { step } = setup(REGISTRY);
    await expect(inspectSource(step, 'b', `${REPO}@${manifest('9')}`, 'source')).rejects.toThrow(/^Invalid source /);
  });

  it('a tag not there has no digest; one there gives its own', async () => {
    const { step } = setup({ [`${REPO}:1.2.3`]: JSON.stringify({ digest: manifest('a') }) });
    expect(await taggedDigest(step, 'b', `${REPO}:1.2.3`)).toBe(manifest('a'));
    expect(await taggedDigest(step, 'b', `${REPO}:latest`)).toBeUndefined();
  });
});
