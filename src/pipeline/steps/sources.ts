/**
 * Images built elsewhere, by digest: promote's source read from the registry, merge's one-platform images joined into
 * one index pushed by digest, and whether tags already point at a digest (a promote run twice changes nothing).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import { CommandError } from '../../exec/runner.js';
import { repositoryOfDigest } from '../../plan/operation.js';
import { imagetoolsInspectArgs, imagetoolsMergeArgs } from '../../tools/buildx.js';
import { configPlatform, indexImages, platformMap, type IndexImage } from '../../tools/metadata.js';
import { retrying, type StepContext } from '../step.js';

/** An image by digest as the registry serves it: its platforms' images (one, for an image manifest). */
export interface SourceImage {
  reference: string;
  digest: string;
  /** the index's images; for an image manifest, the image itself */
  images: IndexImage[];
}

/** A missing manifest, as buildx says it: `ERROR: registry/app@sha256:...: not found`. */
function notFound(error: unknown): boolean {
  return error instanceof CommandError && /not found|manifest unknown|MANIFEST_UNKNOWN/i.test(error.stderrTail);
}

/** Reads an image by digest from the registry; one that is not there is an error naming the input. */
export async function inspectSource(
  step: StepContext,
  builder: string,
  reference: string,
  input: 'source' | 'sources',
): Promise<SourceImage> {
  const digest = reference.slice(reference.indexOf('@') + 1);
  try {
    const { stdout } = await retrying(step, `reading ${reference}`, () =>
      step.runner.run('docker', imagetoolsInspectArgs(builder, reference, 'raw'), {
        env: step.docker.vars,
        quiet: true,
      }),
    );
    const images = indexImages(stdout);
    if (images !== undefined) return { reference, digest, images };
    // One image manifest: its platform is in its config.
    const config = await retrying(step, `reading ${reference}`, () =>
      step.runner.run('docker', imagetoolsInspectArgs(builder, reference, '{{json .Image}}'), {
        env: step.docker.vars,
        quiet: true,
      }),
    );
    return { reference, digest, images: [{ platform: configPlatform(config.stdout) ?? 'unknown', digest }] };
  } catch (error) {
    if (notFound(error)) {
      throw new InputError(input, reference, 'no such image in the registry (a digest from another repository?)');
    }
    throw error;
  }
}

/**
 * Joins the one-platform images into one index, pushed by digest to their repository: no tag is written. Every
 * source is read first (one that does not exist, or a platform given twice, is an error before anything is pushed);
 * the index the dry run prints is the one pushed, checked by its digest.
 */
export async function mergeSources(
  step: StepContext,
  builder: string,
  sources: readonly string[],
  /** push the index; when not (push: false, a merge request), the gates judge the platforms' own images */
  push = true,
): Promise<{ digest: string; repository: string; platformDigests: Record<string, string> }> {
  const read = await Promise.all(sources.map((source) => inspectSource(step, builder, source, 'sources')));
  const seen = new Map<string, string>();
  for (const source of read) {
    for (const image of source.images) {
      const earlier = seen.get(image.platform);
      if (earlier !== undefined) {
        throw new InputError(
          'sources',
          `${earlier}, ${source.reference}`,
          `both hold ${image.platform}: each matrix job must build a platform of its own`,
        );
      }
      seen.set(image.platform, source.reference);
    }
  }
  for (const source of read) {
    step.reporter.info(`${source.images.map((image) => image.platform).join(', ')}: ${source.reference}`);
  }
  const repository = repositoryOfDigest(sources[0] ?? '');
  const dry = await retrying(step, 'joining the platforms', () =>
    step.runner.run('docker', imagetoolsMergeArgs(builder, sources, 'dry-run'), { env: step.docker.vars, quiet: true }),
  );
  // buildx prints the index's bytes and a newline.
  const index = dry.stdout.endsWith('\n') ? dry.stdout.slice(0, -1) : dry.stdout;
  const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
  const images = indexImages(index) ?? [];
  const platforms = images.map((image) => image.platform).join(', ');
  if (!push) {
    step.reporter.info(`one index for ${platforms} would be ${repository}@${digest}; not pushed`);
    return { digest, repository, platformDigests: platformMap(images) };
  }
  const metadataFile = join(step.docker.workDir, 'merge-metadata.json');
  await retrying(step, `pushing the index to ${repository}`, () =>
    step.runner.run(
      'docker',
      imagetoolsMergeArgs(builder, sources, { target: `${repository}@${digest}`, metadataFile }),
      { env: step.docker.vars },
    ),
  );
  const pushed = pushedDigest(readFileSync(metadataFile, 'utf8'));
  if (pushed !== digest) {
    throw new Error(`buildx pushed the index as ${pushed ?? 'nothing'}, not as ${digest} as its dry run gave it`);
  }
  step.reporter.info(`one index for ${platforms}: ${repository}@${digest}`);
  return { digest, repository, platformDigests: platformMap(images) };
}

function pushedDigest(metadata: string): string | undefined {
  const descriptor = (JSON.parse(metadata) as Record<string, { digest?: string } | undefined>)[
    'containerimage.descriptor'
  ];
  return descriptor?.digest;
}

/** The digest a tag points at now, or undefined when the tag is not there. */
export async function taggedDigest(step: StepContext, builder: string, reference: string): Promise<string | undefined> {
  const result = await step.runner.run('docker', imagetoolsInspectArgs(builder, reference, '{{json .Manifest}}'), {
    env: step.docker.vars,
    quiet: true,
    allowFailure: true,
  });
  if (result.code !== 0) return undefined;
  const manifest = JSON.parse(result.stdout) as { digest?: string };
  return manifest.digest;
}
