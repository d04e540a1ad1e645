/**
 * The GitLab CI/CD components, one per command (`templates/docker-build/`, `templates/promote/`, `templates/merge/`),
 * rendered from the input table: a `spec: inputs` header (types, defaults, options, descriptions) and one job that
 * runs the same bundled script as the GitHub Action.
 * `npm run gen` writes it; a unit test fails when the committed file differs.
 */
import { stringify } from 'yaml';
import { INPUTS, type Command, type InputSpec } from './table.js';

/** The Docker-in-Docker service's version: pinned, like every image the component runs. */
export const DIND_IMAGE = 'docker:28.5.2-dind';
/** Rootless BuildKit for the `buildkit-service` mode: the release whose buildkitd the runner image carries. */
export const BUILDKIT_SERVICE_IMAGE = 'moby/buildkit:v0.32.2-rootless';
/** Where the `buildkit-service` mode's BuildKit listens, on the job's network (service alias `buildkitd`). */
export const BUILDKIT_SERVICE_ENDPOINT = 'tcp://buildkitd:1234';

/** One way for the job to reach a builder, chosen by the component's `builder` input. */
export interface BuilderMode {
  /** The runner set-up it is for, and what it gives away, in a few words each: the README's table. */
  setup: string;
  risk: string;
  /** What runs the build. */
  what: string;
  /** What the runner must be set up with. */
  runner: string;
  /** What the set-up gives away, after GitLab's and BuildKit's own warnings. */
  tradeOff: string;
  services?: unknown[];
  /** The job's variables in this mode: the Docker client's and the builder's driver. */
  variables: Record<string, string>;
}

/**
 * The runner set-ups the component knows, each a hidden job (`.<job-name>-builder-<mode>`) that the job extends: its
 * services and the variables that point docker-build at a builder. Input defaults are not interpolated, so a value
 * that depends on another input is written as `$[[ inputs.x ]]` here, in the job.
 */
export const BUILDER_MODES: Readonly<Record<string, BuilderMode>> = {
  dind: {
    setup: 'privileged Docker or Kubernetes executor',
    risk: 'privileged: a job can take the host; an engine per job',
    what: 'Docker-in-Docker as a service, with TLS; buildx runs BuildKit in a container of it (`docker-container`).',
    runner:
      'Docker or Kubernetes executor with `privileged = true`; the Docker executor shares `/certs/client` with the service (`volumes = ["/certs/client"]`). GitLab.com\'s hosted Linux runners are set up so.',
    tradeOff:
      "A privileged container can do anything the host's root can: GitLab's docs warn that privileged mode turns off the container's security mechanisms. Each job has an engine of its own, though, and leaves nothing behind.",
    services: [
      {
        name: '$[[ inputs.dind-image ]]',
        alias: 'docker',
        command: ['--registry-mirror=$[[ inputs.registry-mirror ]]'],
      },
    ],
    variables: {
      DOCKER_HOST: 'tcp://docker:2376',
      DOCKER_TLS_CERTDIR: '$[[ inputs.docker-tls-certdir ]]',
      DOCKER_CERT_PATH: '$[[ inputs.docker-tls-certdir ]]/client',
      DOCKER_TLS_VERIFY: '1',
      INPUT_DRIVER: 'docker-container',
    },
  },
  socket: {
    setup: "Docker executor binding the host's docker.sock",
    risk: "the host's engine: root on it, every job's containers",
    what: "The host's Docker engine through its socket; BuildKit in a container of it (`docker-container`).",
    runner: 'Docker executor with `volumes = ["/var/run/docker.sock:/var/run/docker.sock"]`; no privileged mode.',
    tradeOff:
      "The job drives the host's engine, which is root on the host: GitLab's docs warn that binding the socket lets a job start privileged containers and see, or remove, every other job's containers and images. For runners whose projects all trust each other.",
    variables: { DOCKER_HOST: 'unix:///var/run/docker.sock', INPUT_DRIVER: 'docker-container' },
  },
  'buildkit-service': {
    setup: 'unprivileged; seccomp/AppArmor unconfined service',
    risk: "no Docker, no privileged; BuildKit open on the job's network",
    what: `Rootless BuildKit as a service (\`buildkit-service-image\`, listening on \`${BUILDKIT_SERVICE_ENDPOINT}\`); buildx's \`remote\` driver. No Docker engine anywhere.`,
    runner:
      'Docker executor with `services_security_opt = ["seccomp:unconfined", "apparmor:unconfined"]` for the service (BuildKit\'s rootless set-up; Kubernetes executor: unconfined seccomp and AppArmor profiles for the pod) and unprivileged user namespaces on the hosts. No privileged mode.',
    tradeOff:
      "No privileged container: the build's root is an unprivileged user of the host. The looser seccomp and AppArmor profiles widen the kernel's surface; BuildKit's API has no authentication, so it listens only on the job's own network (the Docker executor's per-job network, the Kubernetes pod); `--oci-worker-no-process-sandbox` lets a build step see BuildKit's processes.",
    services: [
      {
        name: '$[[ inputs.buildkit-service-image ]]',
        alias: 'buildkitd',
        command: ['--addr', 'tcp://0.0.0.0:1234', '--oci-worker-no-process-sandbox'],
      },
    ],
    variables: { INPUT_DRIVER: 'remote', INPUT_ENDPOINT: BUILDKIT_SERVICE_ENDPOINT },
  },
  buildkitd: {
    setup: 'privileged, or unconfined with user namespaces',
    risk: 'rootless in the job; privileged, as `dind` for the job itself',
    what: "BuildKit started by the job in its own container (`driver: buildkitd`), on a private socket, stopped at the end: rootless as the runner image's `buildkit` user, rootful where only that starts. No Docker engine, no service.",
    runner:
      'Docker or Kubernetes executor with `privileged = true` (BuildKit still runs rootless inside), or without it: `security_opt = ["seccomp:unconfined", "apparmor:unconfined"]` for the job and unprivileged user namespaces on the hosts.',
    tradeOff:
      'BuildKit has no network address at all. Privileged, the job container itself could take the host, as with `dind`; unconfined, the same as `buildkit-service`.',
    variables: { INPUT_DRIVER: 'buildkitd' },
  },
  remote: {
    setup: 'any executor that reaches `endpoint`',
    risk: 'nothing privileged; a builder and cache shared by projects',
    what: 'A BuildKit daemon that already runs, at `endpoint` (`tcp://` with mutual TLS, or `unix://`); `append` adds a node per platform.',
    runner:
      'Any executor that reaches the endpoint; the client certificate and key as CI/CD variables (`tls-cert`, `tls-key-variable`).',
    tradeOff:
      'Nothing privileged in the job. The builder is shared: every project that holds a client certificate builds on it, and shares its layer cache; keep its CA for it alone.',
    variables: { INPUT_DRIVER: 'remote', INPUT_ENDPOINT: '$[[ inputs.endpoint ]]' },
  },
  kubernetes: {
    setup: 'a service account that may create deployments',
    risk: 'the job holds rights in one namespace',
    what: "BuildKit pods created by buildx's `kubernetes` driver in the cluster of the job's service account (`driver-opts`: `namespace=`, `rootless=true`, ...).",
    runner: 'Kubernetes executor whose service account may create deployments and exec into pods in the namespace.',
    tradeOff:
      'The job holds rights in the cluster (a role of its own, one namespace); with `rootless=true` the pods need no privileged mode.',
    variables: { INPUT_DRIVER: 'kubernetes' },
  },
  shell: {
    setup: 'a shell runner with Docker',
    risk: 'the `docker` group is root; one engine for every job',
    what: "A shell runner's own Docker engine; BuildKit in a container of it (`docker-container`).",
    runner:
      "Shell executor on a machine with Docker, buildx, Node.js 20 or later and the pinned Trivy (`entrypoint`: where docker-build's `dist/index.js` is).",
    tradeOff:
      "The runner's user is in the `docker` group, root on the machine in effect; jobs of every project on it share the engine and its images.",
    variables: { INPUT_DRIVER: 'docker-container' },
  },
};

export const BUILDER_MODE_NAMES = Object.keys(BUILDER_MODES);

export interface SpecInput {
  type?: 'string' | 'boolean' | 'number' | 'array';
  default: string | boolean | number | unknown[];
  description: string;
  options?: readonly string[];
  regex?: string;
}

/** The job's own inputs, around the table's: where and when it runs, and how it reaches a builder. */
export const JOB_INPUTS: Readonly<Record<string, SpecInput>> = {
  builder: {
    default: 'dind',
    options: BUILDER_MODE_NAMES,
    description:
      "How the job reaches a builder, after what the runner allows: `dind` (Docker-in-Docker service with TLS, privileged runner), `socket` (the host's /var/run/docker.sock bound into the job), `buildkit-service` (a rootless BuildKit service, no Docker at all), `buildkitd` (BuildKit started inside the job's container), `remote` (a BuildKit daemon at `endpoint`), `kubernetes` (buildx's kubernetes driver), `shell` (a shell runner's own engine). What each needs and gives away: [the runner set-ups](../README.md#gitlab-runner-set-ups).",
  },
  'builder-name': {
    default: '',
    description:
      "Name of an existing buildx builder to use (the `builder` input of the GitHub Action and the local command). Empty: a new one, of the `builder` mode's driver, removed at the end.",
  },
  'job-name': { default: 'docker-build', description: "The job's name." },
  stage: { default: 'build', description: "The job's stage." },
  rules: {
    type: 'array',
    default: [
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
      { if: '$CI_COMMIT_TAG' },
      { if: '$CI_COMMIT_BRANCH && $CI_PIPELINE_SOURCE != "merge_request_event"' },
    ],
    description: "The job's rules: by default merge requests, tags and branches.",
  },
  'runner-image': {
    default: 'registry.gitlab.com/docker-build/docker-build/runner:$DOCKER_BUILD_COMPONENT_SHA',
    description:
      "The image the job runs in: docker CLI and buildx, Node.js, a pinned Trivy, buildkitd, rootlesskit and docker-build. Default: this project's runner image built from the very commit of the component included (by version, SHA or branch).",
  },
  entrypoint: {
    default: '/opt/docker-build/dist/index.js',
    description: "docker-build's bundled script in the runner image (or, on a shell runner, wherever it is).",
  },
  'dind-image': {
    default: DIND_IMAGE,
    description: "`builder: dind`: the Docker-in-Docker service's image (a mirror of it on air-gapped runners).",
  },
  'docker-tls-certdir': {
    default: '/certs',
    description:
      "`builder: dind`: where dind writes its TLS certificates (DOCKER_TLS_CERTDIR); the client's are in its `client/`, which the runner shares with the job.",
  },
  'registry-mirror': {
    default: 'https://mirror.gcr.io',
    regex: '^https?://\\S+$',
    description: '`builder: dind`: a Docker Hub mirror for the dind service, against pull rate limits.',
  },
  'buildkit-service-image': {
    default: BUILDKIT_SERVICE_IMAGE,
    description:
      "`builder: buildkit-service`: the rootless BuildKit service's image; its entrypoint runs buildkitd under rootlesskit, with the arguments the component gives (`--addr tcp://0.0.0.0:1234 --oci-worker-no-process-sandbox`).",
  },
  'password-variable': {
    default: '',
    description:
      'The name of a masked CI/CD variable holding the password for `registry` (never the password itself: input values are visible in the pipeline).',
  },
  'registry-auth-variable': {
    default: '',
    description: 'The name of a masked CI/CD variable holding `registry-auth` (YAML: registry, username, password).',
  },
  'tls-key-variable': {
    default: '',
    description:
      'The name of a masked CI/CD variable holding `tls-key`, the client key of a `remote` builder (PEM text, or a path in a variable of type File).',
  },
  'sign-key-variable': {
    default: '',
    description:
      "The name of a masked CI/CD variable holding `sign-key`, cosign's private key (PEM text, a path in a variable of type File, or a KMS URI). Empty: keyless, with the job's SIGSTORE_ID_TOKEN.",
  },
  'sign-key-password-variable': {
    default: '',
    description: 'The name of a masked CI/CD variable holding the password of `sign-key`.',
  },
  'secrets-variable': {
    default: '',
    description: 'The name of a masked CI/CD variable holding the build `secrets` (`id=value` lines).',
  },
};

function specOf(input: InputSpec): SpecInput {
  const { kind } = input;
  switch (kind.type) {
    case 'boolean':
      return { type: 'boolean', default: input.default === 'true', description: input.description };
    case 'number':
      // An empty default means "decided at run time": a string that is empty or a whole number.
      return input.default === ''
        ? { default: '', regex: '^$|^[0-9]+$', description: input.description }
        : { type: 'number', default: Number(input.default), description: input.description };
    case 'enum':
      return { default: input.default, options: kind.options, description: input.description };
    case 'enum-list':
      return {
        default: input.default,
        regex: `^$|^(${kind.options.join('|')})(,(${kind.options.join('|')}))*$`,
        description: input.description,
      };
    default:
      return { default: input.default, description: input.description };
  }
}

/**
 * Inputs that only a build reads: promote and merge build nothing (no Dockerfile, context, cache or check), and take
 * their images by digest (`source`, `sources`) rather than build one.
 */
const BUILD_ONLY = new Set([
  'labels',
  'annotations',
  'context',
  'file',
  'target',
  'build-args',
  'build-contexts',
  'secret-envs',
  'secret-files',
  'ssh',
  'platforms',
  'pull',
  'no-cache',
  'provenance',
  'sbom',
  'sbom-generator',
  'sbom-format',
  'load',
  'cache',
  'cache-mode',
  'cache-ref',
  'cache-scope',
  'cache-from',
  'cache-to',
  'check',
  'check-fail-on',
]);

/** Which of the table's inputs each command takes (its component's, and the reusable workflow's merge step's). */
export function takes(command: Command, input: InputSpec): boolean {
  switch (command) {
    case 'build':
      return input.name !== 'source' && input.name !== 'sources';
    case 'promote':
      return !BUILD_ONLY.has(input.name) && input.name !== 'sources';
    case 'merge':
      return !BUILD_ONLY.has(input.name) && input.name !== 'source';
  }
}

/**
 * The table's inputs whose place the component's `builder` takes: the mode decides the driver, and the table's
 * `builder` (an existing builder's name) is the component's `builder-name`.
 */
const MODE_INPUTS = new Set(['builder', 'driver']);

/** The table's inputs a GitLab job takes: not the GitHub-only ones, and secrets only by variable name. */
export function tableInputs(command: Command = 'build'): InputSpec[] {
  return INPUTS.filter(
    (input) =>
      input.platforms.includes('gitlab') &&
      input.secret !== true &&
      !MODE_INPUTS.has(input.name) &&
      takes(command, input),
  );
}

/** Table inputs whose variable a mode sets (`endpoint`: the `remote` mode's, or the BuildKit service's). */
const MODE_VARIABLES = new Set(['endpoint']);

/** The hidden job a mode is, named after the job so that two inclusions never share one. */
function modeJobName(mode: string): string {
  return `.$[[ inputs.job-name ]]-builder-${mode}`;
}

/** Each command's component: where it is, and what differs from the build's. */
export const COMPONENTS: Readonly<
  Record<
    Command,
    { path: string; jobName: string; stage: string; rules?: unknown[]; defaults?: Record<string, string> }
  >
> = {
  build: { path: 'templates/docker-build/template.yml', jobName: 'docker-build', stage: 'build' },
  // After the build stage by default: GitLab hands a job the artifacts (and dotenv) of every earlier stage's jobs.
  promote: {
    path: 'templates/promote/template.yml',
    jobName: 'docker-build-promote',
    stage: 'deploy',
    rules: [{ if: '$CI_COMMIT_TAG' }],
    defaults: { source: '$DOCKER_BUILD_IMAGE' },
  },
  merge: { path: 'templates/merge/template.yml', jobName: 'docker-build-merge', stage: 'test' },
};

export function variableOf(name: string): string {
  return `INPUT_${name.toUpperCase().replace(/-/g, '_')}`;
}

export function renderComponent(command: Command = 'build'): string {
  const component = COMPONENTS[command];
  const inputs: Record<string, SpecInput> = {};
  for (const input of tableInputs(command)) {
    const spec = specOf(input);
    const fallback = component.defaults?.[input.name];
    inputs[input.name] = fallback === undefined ? spec : { ...spec, default: fallback };
  }
  const jobInputs = Object.fromEntries(
    Object.entries(JOB_INPUTS).filter(([name]) => command === 'build' || name !== 'secrets-variable'),
  );
  Object.assign(inputs, jobInputs, {
    'job-name': { ...JOB_INPUTS['job-name'], default: component.jobName },
    stage: { ...JOB_INPUTS.stage, default: component.stage },
    ...(component.rules === undefined
      ? {}
      : {
          rules: {
            ...JOB_INPUTS.rules,
            default: component.rules,
            description: "The job's rules: by default tag pipelines, whose tags the rules in `tags` read.",
          },
        }),
  });

  const variables: Record<string, string> = { DOCKER_BUILD_COMPONENT_SHA: '$[[ component.sha ]]' };
  for (const input of tableInputs(command)) {
    if (!MODE_VARIABLES.has(input.name)) variables[variableOf(input.name)] = `$[[ inputs.${input.name} ]]`;
  }
  variables[variableOf('builder')] = '$[[ inputs.builder-name ]]';
  const secretInputs = [
    'password',
    'registry-auth',
    'tls-key',
    'sign-key',
    'sign-key-password',
    ...(command === 'build' ? ['secrets'] : []),
  ];
  for (const name of secretInputs) {
    variables[variableOf(`${name}-variable`)] = `$[[ inputs.${name}-variable ]]`;
  }
  const reports = '$[[ inputs.reports-dir ]]';
  const job = {
    // The mode's services and Docker/driver variables; the job's own variables merge over them.
    extends: modeJobName('$[[ inputs.builder ]]'),
    stage: '$[[ inputs.stage ]]',
    image: '$[[ inputs.runner-image ]]',
    variables,
    rules: '$[[ inputs.rules ]]',
    // Keyless signing (`sign: true` without a key): an OIDC token for Sigstore, which cosign reads by itself.
    id_tokens: { SIGSTORE_ID_TOKEN: { aud: 'sigstore' } },
    // Trivy's databases between pipelines (docker-build keeps them in .cache/trivy on GitLab).
    cache: [{ key: 'docker-build-trivy-db', paths: ['.cache/trivy/db', '.cache/trivy/java-db'], when: 'always' }],
    script: [`node "$[[ inputs.entrypoint ]]" ${command}`],
    // Runs even when the script failed or was cancelled: removes the private Docker config and the builder.
    after_script: ['node "$[[ inputs.entrypoint ]]" cleanup'],
    artifacts: {
      when: 'always',
      paths: [`${reports}/`],
      reports: {
        dotenv: 'docker-build.env',
        container_scanning: `${reports}/gl-container-scanning-report.json`,
        // The check gate's findings on the Dockerfile's lines, in the merge request's Code Quality widget and diff.
        ...(command === 'build' ? { codequality: `${reports}/gl-code-quality-report.json` } : {}),
        // With `sbom` on (sbom-format cyclonedx): one CycloneDX SBOM per platform, in the dependency list.
        cyclonedx: [`${reports}/gl-sbom-*.cdx.json`],
        // A list: each gate adds its own (a file a gate that did not run never wrote is skipped with a warning).
        junit: [
          ...(command === 'build' ? [`${reports}/dockerfile-check-junit.xml`] : []),
          `${reports}/trivy-junit.xml`,
          `${reports}/test-junit.xml`,
        ],
      },
    },
  };
  // `component: [sha]` makes $[[ component.sha ]] available: the runner image of the very commit included.
  const header = stringify({ spec: { component: ['sha'], inputs } }, { lineWidth: 0 });
  // Every value quoted: after interpolation a variable holds `true` or `8` as text, as GitLab requires.
  const modes = Object.fromEntries(
    Object.entries(BUILDER_MODES).map(([mode, { services, variables: modeVariables }]) => [
      modeJobName(mode),
      { ...(services === undefined ? {} : { services }), variables: modeVariables },
    ]),
  );
  const body = stringify(
    { ...modes, '$[[ inputs.job-name ]]': job },
    { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
  );
  return `# Generated from src/inputs/table.ts by \`npm run gen\`: edit the table (or src/inputs/component.ts), not this file.\n${header}---\n${body}`;
}
