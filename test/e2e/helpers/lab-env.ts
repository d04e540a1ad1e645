/** What `npm run -s lab:env` exports, typed. */
export interface LabEnv {
  home: string;
  registry: string;
  registryUser: string;
  registryPassword: string;
  registry2: string;
  registry2User: string;
  registry2Password: string;
  baseImage: string;
  buildkitImage: string;
  /** the fixture vulnerability database, as Trivy's is published: `--db-repository` */
  trivyDbRepository: string;
  /** runner/Dockerfile's BASE in the lab: docker CLI, buildx, Node.js and Trivy from the host */
  runnerBaseImage: string;
  /** BuildKit's SBOM generator in the lab (`--sbom=generator=`): syft behind BuildKit's generator protocol */
  sbomScannerImage: string;
  caCert: string;
  platforms: string[];
}

/** The `export NAME=VALUE` lines printed by `lab.sh env` (values quoted by bash's printf %q), by name. */
export function parseExports(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) vars.set(match[1], unquote(match[2]));
  }
  return vars;
}

/** Parses what `lab.sh env` prints into the lab's environment. */
export function parseLabEnv(text: string): LabEnv {
  const vars = parseExports(text);
  const get = (name: string): string => {
    const value = vars.get(name);
    if (value === undefined || value === '') throw new Error(`lab env lacks ${name}`);
    return value;
  };
  return {
    home: get('LAB_HOME'),
    registry: get('LAB_REGISTRY'),
    registryUser: get('LAB_REGISTRY_USER'),
    registryPassword: get('LAB_REGISTRY_PASSWORD'),
    registry2: get('LAB_REGISTRY2'),
    registry2User: get('LAB_REGISTRY2_USER'),
    registry2Password: get('LAB_REGISTRY2_PASSWORD'),
    baseImage: get('LAB_BASE_IMAGE'),
    buildkitImage: get('LAB_BUILDKIT_IMAGE'),
    trivyDbRepository: get('LAB_TRIVY_DB_REPOSITORY'),
    runnerBaseImage: get('LAB_RUNNER_BASE_IMAGE'),
    sbomScannerImage: get('LAB_SBOM_SCANNER_IMAGE'),
    caCert: get('LAB_CA_CERT'),
    platforms: get('LAB_PLATFORMS').split(','),
  };
}

// The lab's values are paths, host:port pairs, image references and hex passwords: printf %q leaves them bare or
// backslash-escapes a few characters. Quoted forms ($'...') are not expected and are rejected.
function unquote(value: string): string {
  if (value.startsWith("$'") || value.startsWith("'") || value.startsWith('"')) {
    throw new Error(`unexpected quoting in lab env value: ${value}`);
  }
  return value.replace(/\\(.)/g, '$1');
}
