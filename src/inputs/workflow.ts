/**
 * Renders the reusable workflow, .github/workflows/build.yml (`on: workflow_call`), from the input table: its inputs
 * are the action's (secrets become `secrets:`), and its jobs run the action of the workflow's own commit on one runner
 * per platform, then merge. `npm run gen` writes it; a unit test fails when the committed file differs.
 */
import { stringify } from 'yaml';
import { takes } from './component.js';
import { INPUTS, type InputSpec } from './table.js';

/** Where the reusable workflow lives, for callers: `uses: org/docker-build/.github/workflows/build.yml@v1`. */
export const REUSABLE_WORKFLOW_PATH = '.github/workflows/build.yml';

/** The runner of each platform by default: GitHub's hosted amd64 and arm64 runners, so no platform is emulated. */
export const DEFAULT_RUNNERS = { 'linux/amd64': 'ubuntu-24.04', 'linux/arm64': 'ubuntu-24.04-arm' };

/** The outputs a caller reads (`needs.<job>.outputs.digest`): the merge job's, or the single build job's. */
export const REUSABLE_OUTPUTS = ['digest', 'image', 'tags', 'version', 'scan-result', 'platform-digests'] as const;

/** The inputs the workflow sets itself in each job: the command, and the images it passes from job to job. */
const OWN = new Set(['command', 'source', 'sources']);

/** Where the action of the workflow's own commit is checked out, inside the job's workspace. */
const ACTION_DIR = '.docker-build';

/**
 * The actions the workflow runs, pinned by commit as release.yml pins its own: the workflow runs in the caller's
 * repository with its registry credentials, and a caller pinned at a SHA gets the same actions every time.
 */
const PINNED = {
  checkout: { uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  upload: { uses: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', version: 'v7.0.0' },
  download: { uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', version: 'v8.0.1' },
};
const CHECKOUT = PINNED.checkout.uses;
const UPLOAD = PINNED.upload.uses;
const DOWNLOAD = PINNED.download.uses;

/** The table's inputs on GitHub that the caller gives, secrets included. */
function callerInputs(): InputSpec[] {
  return INPUTS.filter((spec) => spec.platforms.includes('github') && !OWN.has(spec.name));
}

/** How a step passes an input on: `${{ inputs.x }}`, or `${{ secrets.x }}` (the workflow token when none). */
function passOn(spec: InputSpec): string {
  if (spec.secret !== true) return `\${{ inputs.${spec.name} }}`;
  return spec.githubDefault === undefined
    ? `\${{ secrets.${spec.name} }}`
    : `\${{ secrets.${spec.name} || ${spec.githubDefault.replace(/^\$\{\{\s*|\s*\}\}$/g, '')} }}`;
}

function workflowInputs(): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const spec of callerInputs().filter((s) => s.secret !== true)) {
    const boolean = spec.kind.type === 'boolean';
    inputs[spec.name] = {
      description: spec.description,
      required: false,
      type: boolean ? 'boolean' : 'string',
      ...(spec.default === '' ? {} : { default: boolean ? spec.default === 'true' : spec.default }),
    };
  }
  inputs.runners = {
    description:
      'JSON object: platform → the runner label its job runs on. Each platform of `platforms` builds natively on its own runner; the merge job runs on the runner of linux/amd64 (else the first listed).',
    required: false,
    type: 'string',
    default: JSON.stringify(DEFAULT_RUNNERS),
  };
  return inputs;
}

function workflowSecrets(): Record<string, unknown> {
  return Object.fromEntries(
    callerInputs()
      .filter((s) => s.secret === true)
      .map((spec) => [spec.name, { description: spec.description, required: false }]),
  );
}

const OUTPUT_DESCRIPTIONS: Record<(typeof REUSABLE_OUTPUTS)[number], string> = {
  digest: 'Digest of the pushed image index (or of the image, for one platform).',
  image: 'The image by digest: `registry/repo@sha256:...`.',
  tags: 'The tags attached, full references, one per line.',
  version: "The main version (metadata-action's `version` output).",
  'scan-result': 'The scan gate: `passed`, `failed` or `skipped`.',
  'platform-digests': 'JSON object: platform → digest of its image manifest.',
};

function workflowOutputs(): Record<string, unknown> {
  return Object.fromEntries(
    REUSABLE_OUTPUTS.map((name) => [
      name,
      {
        description: OUTPUT_DESCRIPTIONS[name],
        value: `\${{ jobs.prepare.outputs.single == 'true' && jobs.build.outputs.${name} || jobs.merge.outputs.${name} }}`,
      },
    ]),
  );
}

const stepOutputs = () =>
  Object.fromEntries(REUSABLE_OUTPUTS.map((name) => [name, `\${{ steps.image.outputs.${name} }}`]));

/**
 * The prepare job's script: the matrix (one entry per platform, with its runner) from `platforms` and `runners`, one
 * platform (or none: the runner's own) meaning a single job with no merge. Inputs arrive through the environment,
 * never pasted into the script.
 */
const PREPARE_SCRIPT = `set -euo pipefail
fail() { echo "::error title=docker-build::$1"; exit 2; }
if ! jq -e 'type == "object" and length > 0 and all(.[]; type == "string" and . != "")' >/dev/null 2>&1 <<<"$RUNNERS"; then
  fail "Invalid runners \\"$RUNNERS\\": expected a JSON object of platform to runner label, like {\\"linux/amd64\\":\\"ubuntu-24.04\\"}"
fi
if [ "$PUSH" = digest ]; then
  fail "Invalid push \\"digest\\": this workflow pushes each platform by digest itself, then merges; give auto, true or false"
fi
matrix=$(jq -cn --arg platforms "$PLATFORMS" --argjson runners "$RUNNERS" '
  [$platforms | splits("[,\\n]") | gsub("^\\\\s+|\\\\s+$"; "") | select(. != "")] as $list
  | ($runners["linux/amd64"] // ([$runners[]] | first)) as $default
  | if ($list | length) == 0 then {include: [{platform: "", runner: $default, artifact: "default"}]}
    else {include: [$list[] | {platform: ., runner: $runners[.], artifact: gsub("[^A-Za-z0-9]+"; "-")}]} end')
twice=$(jq -r '[.include[].platform] | group_by(.) | map(select(length > 1) | .[0]) | join(", ")' <<<"$matrix")
[ -z "$twice" ] || fail "Invalid platforms \\"$PLATFORMS\\": $twice is given twice"
missing=$(jq -r '[.include[] | select(.runner == null) | .platform] | join(", ")' <<<"$matrix")
[ -z "$missing" ] || fail "Invalid runners \\"$RUNNERS\\": no runner for $missing (platforms \\"$PLATFORMS\\")"
single=$(jq -r 'if (.include | length) == 1 then "true" else "false" end' <<<"$matrix")
{
  echo "matrix=$matrix"
  echo "single=$single"
  echo "merge-runner=$(jq -r '.["linux/amd64"] // ([.[]] | first)' <<<"$RUNNERS")"
  echo "id=$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
} >>"$GITHUB_OUTPUT"
if [ "$single" = true ]; then mode='one job, no merge'; else mode='one job per platform, then merge'; fi
echo "platforms \\"$PLATFORMS\\": $mode: $matrix"
`;

/**
 * The steps that check out the caller's repository (the build context and its git facts) and, beside it, docker-build
 * at the commit this workflow was called at (`job.workflow_repository`, `job.workflow_sha`: the reusable workflow's
 * own; `github.*` describes the caller's). act has no job.workflow_*: there the test places the action in the
 * directory beforehand (test/e2e/pipeline/reusable.test.ts).
 */
function checkoutSteps(): unknown[] {
  return [
    { name: 'Check out the repository', uses: CHECKOUT, with: { 'persist-credentials': false } },
    {
      name: "Check out docker-build at this workflow's own commit",
      uses: CHECKOUT,
      with: {
        repository: '${{ job.workflow_repository }}',
        ref: '${{ job.workflow_sha }}',
        path: ACTION_DIR,
        'persist-credentials': false,
      },
    },
    {
      name: 'Check that docker-build is there',
      run: `test -f ${ACTION_DIR}/action.yml || { echo "::error title=docker-build::this runner gives no job.workflow_repository and job.workflow_sha, so the action of this workflow's commit cannot be checked out"; exit 1; }`,
    },
  ];
}

/** `with:` for the action: every input passed on, but those `overrides` sets. */
function actionWith(names: readonly InputSpec[], overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of names) out[spec.name] = overrides[spec.name] ?? passOn(spec);
  for (const [name, value] of Object.entries(overrides)) out[name] ??= value;
  return out;
}

const SINGLE = "needs.prepare.outputs.single == 'true'";

function jobs(): Record<string, unknown> {
  const inputs = callerInputs();
  const digests = '${{ runner.temp }}/docker-build-digests';
  return {
    prepare: {
      'runs-on': 'ubuntu-24.04',
      permissions: {},
      outputs: Object.fromEntries(
        ['matrix', 'single', 'merge-runner', 'id'].map((name) => [name, `\${{ steps.plan.outputs.${name} }}`]),
      ),
      steps: [
        {
          id: 'plan',
          env: { PLATFORMS: '${{ inputs.platforms }}', RUNNERS: '${{ inputs.runners }}', PUSH: '${{ inputs.push }}' },
          run: PREPARE_SCRIPT,
        },
      ],
    },
    build: {
      name: "build ${{ matrix.platform || 'the runner platform' }}",
      needs: 'prepare',
      strategy: { 'fail-fast': false, matrix: '${{ fromJSON(needs.prepare.outputs.matrix) }}' },
      'runs-on': '${{ matrix.runner }}',
      outputs: stepOutputs(),
      steps: [
        ...checkoutSteps(),
        {
          id: 'image',
          uses: `./${ACTION_DIR}`,
          with: actionWith(inputs, {
            platforms: '${{ matrix.platform }}',
            // several platforms: each job pushes its own by digest, with no gate and no tag; the merge job does those
            push: `\${{ ${SINGLE} && inputs.push || 'digest' }}`,
            load: `\${{ ${SINGLE} && inputs.load }}`,
          }),
        },
        {
          name: 'Hand the digest file to the merge job',
          if: `\${{ !(${SINGLE}) }}`,
          uses: UPLOAD,
          with: {
            name: 'docker-build-${{ needs.prepare.outputs.id }}-${{ matrix.artifact }}',
            path: '${{ steps.image.outputs.digest-file }}',
            'if-no-files-found': 'error',
            'retention-days': 1,
            overwrite: true,
          },
        },
      ],
    },
    merge: {
      needs: ['prepare', 'build'],
      if: `\${{ !(${SINGLE}) }}`,
      'runs-on': '${{ needs.prepare.outputs.merge-runner }}',
      outputs: stepOutputs(),
      steps: [
        ...checkoutSteps(),
        {
          name: "The matrix jobs' digest files",
          uses: DOWNLOAD,
          with: { pattern: 'docker-build-${{ needs.prepare.outputs.id }}-*', 'merge-multiple': true, path: digests },
        },
        {
          id: 'image',
          uses: `./${ACTION_DIR}`,
          with: actionWith(
            inputs.filter((spec) => takes('merge', spec)),
            { command: 'merge', sources: digests },
          ),
        },
      ],
    },
  };
}

const HEADER = `# Generated from src/inputs/table.ts by \`npm run gen\` (src/inputs/workflow.ts): edit those, not this file.
#
# docker-build as a reusable workflow: one job per platform, each on a runner of its own (\`runners\`) pushing its
# image by digest, then a merge job joining them into one index, running the gates on every platform, and only then
# attaching the tags. One platform (or none): one job that builds, gates and tags, no merge. Callers pin it:
#   uses: org/docker-build/.github/workflows/build.yml@v1   (or @<commit sha>)
# and every job runs the action of that same commit (job.workflow_sha), never another version. docs/distributed.md.
# Permissions: none of its own; the jobs have what the calling job grants (contents: read, packages: write for
# ghcr.io, id-token: write only with sign and no sign-key).
`;

/** .github/workflows/build.yml, whole. */
export function renderReusableWorkflow(): string {
  const workflow = {
    name: 'docker-build',
    on: {
      workflow_call: { inputs: workflowInputs(), secrets: workflowSecrets(), outputs: workflowOutputs() },
    },
    jobs: jobs(),
  };
  let text = stringify(workflow, { lineWidth: 0 });
  // each pinned action's version beside its commit, as a comment (Dependabot and Renovate read it)
  for (const { uses, version } of Object.values(PINNED))
    text = text.replaceAll(`uses: ${uses}\n`, `uses: ${uses} # ${version}\n`);
  return HEADER + text;
}
