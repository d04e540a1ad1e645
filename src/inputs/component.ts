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

export interface SpecInput {
  type?: 'string' | 'boolean' | 'number' | 'array';
  default: string | boolean | number | unknown[];
  description: string;
  options?: readonly string[];
  regex?: string;
}

/** The job's own inputs, around the table's: where and when it runs, and how it reaches Docker. */
export const JOB_INPUTS: Readonly<Record<string, SpecInput>> = {
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
      "The image the job runs in: docker CLI and buildx, Node.js, a pinned Trivy and docker-build. Default: this project's runner image built from the very commit of the component included (by version, SHA or branch).",
  },
  entrypoint: {
    default: '/opt/docker-build/dist/index.js',
    description: "docker-build's bundled script in the runner image (or, on a shell runner, wherever it is).",
  },
  services: {
    type: 'array',
    // Input defaults are not interpolated: the mirror reaches the service through a job variable.
    default: [{ name: DIND_IMAGE, alias: 'docker', command: ['--registry-mirror=$DOCKER_BUILD_REGISTRY_MIRROR'] }],
    description:
      'Services of the job: Docker-in-Docker with TLS by default. `[]` for socket binding or a shell runner (set docker-host too).',
  },
  'docker-host': {
    default: 'tcp://docker:2376',
    description:
      'DOCKER_HOST. `tcp://localhost:2376` on the Kubernetes executor (services share the pod); `unix:///var/run/docker.sock` with socket binding; empty on a shell runner with its own engine.',
  },
  'docker-tls-certdir': {
    default: '/certs',
    description: "Where dind writes its TLS certificates (DOCKER_TLS_CERTDIR); the client's are in its `client/`.",
  },
  'registry-mirror': {
    default: 'https://mirror.gcr.io',
    description:
      'A Docker Hub mirror for the default dind service, against pull rate limits (with your own `services`, add it there).',
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

/** Which of the table's inputs each command's component takes. */
function takes(command: Command, input: InputSpec): boolean {
  switch (command) {
    case 'build':
      return input.name !== 'source' && input.name !== 'sources';
    case 'promote':
      return !BUILD_ONLY.has(input.name) && input.name !== 'sources';
    case 'merge':
      return !BUILD_ONLY.has(input.name) && input.name !== 'source';
  }
}

/** The table's inputs a GitLab job takes: not the GitHub-only ones, and secrets only by variable name. */
export function tableInputs(command: Command = 'build'): InputSpec[] {
  return INPUTS.filter((input) => input.platforms.includes('gitlab') && input.secret !== true && takes(command, input));
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

  const variables: Record<string, string> = {
    DOCKER_BUILD_COMPONENT_SHA: '$[[ component.sha ]]',
    DOCKER_HOST: '$[[ inputs.docker-host ]]',
    DOCKER_TLS_CERTDIR: '$[[ inputs.docker-tls-certdir ]]',
    DOCKER_CERT_PATH: '$[[ inputs.docker-tls-certdir ]]/client',
    DOCKER_TLS_VERIFY: '1',
    DOCKER_BUILD_REGISTRY_MIRROR: '$[[ inputs.registry-mirror ]]',
  };
  for (const input of tableInputs(command)) variables[variableOf(input.name)] = `$[[ inputs.${input.name} ]]`;
  const secretInputs = ['password', 'registry-auth', 'tls-key', ...(command === 'build' ? ['secrets'] : [])];
  for (const name of secretInputs) {
    variables[variableOf(`${name}-variable`)] = `$[[ inputs.${name}-variable ]]`;
  }
  const reports = '$[[ inputs.reports-dir ]]';
  const job = {
    stage: '$[[ inputs.stage ]]',
    image: '$[[ inputs.runner-image ]]',
    services: '$[[ inputs.services ]]',
    variables,
    rules: '$[[ inputs.rules ]]',
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
  const body = stringify(
    { '$[[ inputs.job-name ]]': job },
    { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
  );
  return `# Generated from src/inputs/table.ts by \`npm run gen\`: edit the table (or src/inputs/component.ts), not this file.\n${header}---\n${body}`;
}
