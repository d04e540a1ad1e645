import type { LabEnv } from './lab-env.js';
import { run } from './run.js';

/** The bundle under test: docker-build as users run it. */
export const DIST = new URL('../../../dist/index.js', import.meta.url).pathname;

/**
 * Inputs that point docker-build at the lab: its BuildKit image on the host network (the registry is on loopback),
 * the two-platform base image, and the lab registry's credentials. As INPUT_ variables: never on a command line.
 */
export function labInputs(lab: LabEnv): Record<string, string> {
  return {
    'INPUT_BUILDKIT-IMAGE': lab.buildkitImage,
    'INPUT_DRIVER-OPTS': 'network=host',
    'INPUT_BUILD-ARGS': `BASE=${lab.baseImage}`,
    INPUT_REGISTRY: lab.registry,
    INPUT_USERNAME: lab.registryUser,
    INPUT_PASSWORD: lab.registryPassword,
    // Trivy's vulnerability database comes from the lab registry: the fixture database, published as the real one is.
    'INPUT_DB-REPOSITORY': lab.trivyDbRepository,
  };
}

export interface ImageFacts {
  digest: string;
  platforms: string[];
  labels: Record<string, string>;
}

interface ImageConfig {
  config?: { Labels?: Record<string, string> };
}

interface InspectJson {
  manifest?: { digest?: string; manifests?: { digest: string; platform?: { os: string; architecture: string } }[] };
  /** a map platform → config for an index, one config for a single image */
  image?: Record<string, ImageConfig | undefined> & ImageConfig;
}

/** What the registry says about a reference: its digest, its platforms, and the labels of its amd64 image config. */
export function parseInspect(json: string): ImageFacts {
  const data = JSON.parse(json) as InspectJson;
  const manifests = data.manifest?.manifests ?? [];
  const platforms = manifests
    .map((m) => m.platform)
    .filter((p) => p !== undefined && p.os !== 'unknown')
    .map((p) => `${p?.os ?? ''}/${p?.architecture ?? ''}`)
    .sort();
  const config = data.image?.['linux/amd64'] ?? data.image;
  return { digest: data.manifest?.digest ?? '', platforms, labels: config?.config?.Labels ?? {} };
}

/** The tags of a repository on one of the lab registries, from its API (credentials to curl on stdin, -K -). */
export async function registryTags(lab: LabEnv, repository: string): Promise<string[]> {
  const [user, password] = repository.startsWith(`${lab.registry2}/`)
    ? [lab.registry2User, lab.registry2Password]
    : [lab.registryUser, lab.registryPassword];
  const slash = repository.indexOf('/');
  const url = `https://${repository.slice(0, slash)}/v2/${repository.slice(slash + 1)}/tags/list`;
  const result = await run('curl', ['-s', '-K', '-', url], { input: `user = "${user}:${password}"\n` });
  if (result.code !== 0) throw new Error(`curl ${url} exited ${result.code}`);
  return ((JSON.parse(result.stdout) as { tags?: string[] | null }).tags ?? []).sort();
}
