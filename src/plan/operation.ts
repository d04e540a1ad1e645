/**
 * What the run does with an image, from `command`, `push: digest`, `source` and `sources`: build it, push one
 * platform by digest for a merge job, promote an image already built, or merge one-platform images into one index.
 * Pure: the `sources` paths are read at the edge (src/host.ts) and come in as references.
 */
import { InputError } from '../errors.js';
import { BY_DIGEST, notByDigest, type Inputs } from '../inputs/parse.js';
import type { Operation } from './types.js';

/** Where `push: digest` writes the reference of what it pushed, for a merge job: `<reports-dir>/digests/`. */
export const DIGESTS_DIR = 'digests';

/** `linux/arm/v7` → `linux-arm-v7`: a platform as a file name. */
export function platformSlug(platform: string): string {
  return platform.replace(/\//g, '-');
}

/** `registry.example.com/team/app@sha256:...` → `registry.example.com/team/app`. */
export function repositoryOfDigest(reference: string): string {
  const at = reference.indexOf('@');
  return at < 0 ? reference : reference.slice(0, at);
}

export function planOperation(
  inputs: Inputs,
  request: {
    /** the platform of a build with no `platforms` */
    hostPlatform: string;
    /** merge's sources, read from their files and directories; `inputs.sources` when not given */
    sources?: readonly string[] | undefined;
  },
): Operation {
  switch (inputs.command) {
    case 'build': {
      if (inputs.push !== 'digest') return { kind: 'build' };
      const platform = inputs.platforms[0] ?? request.hostPlatform;
      return {
        kind: 'digest',
        platform,
        digestFile: `${inputs.reportsDir.replace(/\/+$/, '')}/${DIGESTS_DIR}/${platformSlug(platform)}`,
      };
    }
    case 'promote':
      if (inputs.source === undefined) throw new InputError('source', '', 'promote needs an image by digest');
      return { kind: 'promote', source: inputs.source };
    case 'merge':
      return { kind: 'merge', ...mergeSources(request.sources ?? inputs.sources) };
  }
}

/** Merge's sources, checked: at least one, each by digest, none twice, all in one repository. */
function mergeSources(sources: readonly string[]): { sources: string[]; repository: string } {
  const [first] = sources;
  if (first === undefined) {
    throw new InputError(
      'sources',
      '',
      'merge needs the one-platform images by digest (one per line), or the digest files a `push: digest` build wrote',
    );
  }
  for (const source of sources) {
    if (!BY_DIGEST.test(source)) throw new InputError('sources', source, notByDigest(source));
  }
  const twice = sources.find((source, index) => sources.indexOf(source) !== index);
  if (twice !== undefined) throw new InputError('sources', twice, 'is given twice');
  const repository = repositoryOfDigest(first);
  const other = sources.find((source) => repositoryOfDigest(source) !== repository);
  if (other !== undefined) {
    throw new InputError(
      'sources',
      other,
      `is not in ${repository}, as ${first} is: every matrix job must push to the same image name`,
    );
  }
  return { sources: [...sources], repository };
}

/** The repository the images of a promote or merge come from. */
export function sourceRepository(operation: Operation): string | undefined {
  switch (operation.kind) {
    case 'promote':
      return repositoryOfDigest(operation.source);
    case 'merge':
      return operation.repository;
    default:
      return undefined;
  }
}

/**
 * The inputs as the command reads them: promote and merge tag the source's own repository when `images` is empty,
 * and use no layer cache (they build nothing).
 */
export function operationInputs(inputs: Inputs, operation: Operation): Inputs {
  const repository = sourceRepository(operation);
  if (repository === undefined) return inputs;
  return { ...inputs, images: inputs.images.length > 0 ? inputs.images : [repository], cache: 'none' };
}
