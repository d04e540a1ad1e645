/**
 * Renders the input table into the files generated from it: action.yml and the inputs/outputs reference,
 * docs/inputs.md (and, with the GitLab component, its `spec: inputs`). `npm run gen` writes them; a unit test fails
 * when the committed files differ from what this renders.
 */
import { stringify } from 'yaml';
import { DOTENV_OUTPUTS, dotenvName } from './table.js';
import { INPUTS, OUTPUTS, type InputGroup, type InputSpec } from './table.js';
import { BUILDER_MODES, COMPONENTS, JOB_INPUTS, tableInputs } from './component.js';

export const ACTION_HEADER = {
  name: 'docker-build',
  description: 'Build once, push by digest, scan that digest on every platform, and only then tag it.',
  author: 'docker-build',
  branding: { icon: 'package', color: 'blue' },
};

export function renderActionYml(): string {
  const inputs: Record<string, { description: string; required: boolean; default?: string }> = {};
  for (const spec of INPUTS.filter((s) => s.platforms.includes('github'))) {
    const fallback = spec.githubDefault ?? spec.default;
    inputs[spec.name] = {
      description: spec.description,
      required: false,
      ...(fallback === '' ? {} : { default: fallback }),
    };
  }
  const outputs = Object.fromEntries(OUTPUTS.map((o) => [o.name, { description: o.description }]));
  const action = {
    ...ACTION_HEADER,
    inputs,
    outputs,
    runs: { using: 'node24', main: 'dist/index.js', post: 'dist/index.js' },
  };
  return `# Generated from src/inputs/table.ts by \`npm run gen\`: edit the table, not this file.\n${stringify(action, {
    lineWidth: 0,
  })}`;
}

const GROUPS: readonly InputGroup[] = [
  'Command',
  'Tags and labels',
  'Build',
  'Cache',
  'Check gate',
  'Scan gate',
  'Test gate',
  'Signing',
  'Registry login',
  'Builder',
];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(spec: InputSpec): string {
  switch (spec.kind.type) {
    case 'list':
      return spec.kind.commas ? 'list (lines or commas)' : 'list (lines)';
    case 'enum':
      return spec.kind.options.map((o) => `\`${o}\``).join(' \\| ');
    case 'enum-list':
      return `list of ${spec.kind.options.map((o) => `\`${o}\``).join(', ')}`;
    case 'number':
      return `number (${spec.kind.min}–${spec.kind.max})`;
    default:
      return spec.kind.type;
  }
}

function defaultOf(spec: InputSpec): string {
  if (spec.githubDefault !== undefined) return `GitHub: \`${spec.githubDefault}\``;
  return spec.default === '' ? '' : `\`${spec.default}\``;
}

/** The reference's tables: inputs by group, then outputs. */
export function renderReference(): string {
  const lines: string[] = [];
  for (const group of GROUPS) {
    lines.push(`## ${group}`, '', '| input | type | default | description |', '| --- | --- | --- | --- |');
    for (const spec of INPUTS.filter((s) => s.group === group)) {
      const only = spec.platforms.length < 3 ? ` (${spec.platforms.join(', ')} only)` : '';
      const secret = spec.secret === true ? ' **Secret.**' : '';
      lines.push(
        `| \`${spec.name}\` | ${typeOf(spec)} | ${defaultOf(spec)} | ${cell(spec.description)}${secret}${only} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Outputs', '', '| output | description |', '| --- | --- |');
  for (const output of OUTPUTS) lines.push(`| \`${output.name}\` | ${cell(output.description)} |`);
  return lines.join('\n') + '\n';
}

/** The GitLab component's inputs around the table's (src/inputs/component.ts), and the variables of its dotenv report. */
function renderComponentReference(): string {
  const lines = [
    "## The GitLab component's own inputs",
    '',
    'Where and how the job runs; the component takes them besides the inputs above (all but the GitHub-only ones and',
    'the secrets, which it takes by the name of a masked CI/CD variable instead).',
    '',
    '| input | type | default | description |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, spec] of Object.entries(JOB_INPUTS)) {
    const value = Array.isArray(spec.default)
      ? stringify(spec.default, { collectionStyle: 'flow', lineWidth: 0 }).trim()
      : String(spec.default);
    const fallback = value === '' ? '' : `\`${value}\``;
    lines.push(`| \`${name}\` | ${spec.type ?? 'string'} | ${cell(fallback)} | ${cell(spec.description)} |`);
  }
  lines.push(
    '',
    '## The promote and merge components',
    '',
    'They build nothing, so they take the inputs above but those of the build (context, Dockerfile, platforms, cache,',
    "check, labels); the job's own inputs are the same but `secrets-variable`, with their own defaults:",
    '',
    '| component | command | job-name | stage | rules | table inputs |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const command of ['promote', 'merge'] as const) {
    const component = COMPONENTS[command];
    const rules = component.rules === undefined ? 'as docker-build' : `\`${JSON.stringify(component.rules)}\``;
    const names = tableInputs(command).map((input) =>
      component.defaults?.[input.name] === undefined
        ? `\`${input.name}\``
        : `\`${input.name}\` (default \`${component.defaults[input.name] ?? ''}\`)`,
    );
    lines.push(
      `| \`${component.path}\` | \`${command}\` | \`${component.jobName}\` | \`${component.stage}\` | ${cell(rules)} | ${names.join(', ')} |`,
    );
  }
  lines.push(
    '',
    "## The GitLab component's outputs",
    '',
    'A dotenv report (`artifacts: reports: dotenv`): later jobs that `needs:` the docker-build job read these',
    'variables. A list (the tags) is comma-separated on one line.',
    '',
    '| variable | output |',
    '| --- | --- |',
  );
  for (const output of DOTENV_OUTPUTS) lines.push(`| \`${dotenvName(output)}\` | \`${output}\` |`);
  return lines.join('\n') + '\n';
}

/** docs/inputs.md, whole: written by `npm run gen`, never by hand. */
export function renderInputsDoc(): string {
  return [
    '<!-- Generated from src/inputs/table.ts and src/inputs/component.ts by `npm run gen`: edit those, not this file. -->',
    '',
    '# Inputs and outputs',
    '',
    'The same inputs on every platform: `with:` of the GitHub Action, `inputs:` of the GitLab component, `--name value`',
    'flags of the command line (or `INPUT_<NAME>` variables anywhere). Secrets are never inputs of the GitLab component:',
    "there a masked CI/CD variable holds them, and the component's `*-variable` inputs name it.",
    '',
    renderReference(),
    renderComponentReference(),
  ].join('\n');
}

/** Replaces what lies between two marker lines of `current` with `lines`. */
function splice(current: string, start: string, end: string, lines: readonly string[]): string {
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the generated table's markers are missing: ${start}`);
  return current.slice(0, from) + [start, '', ...lines, ''].join('\n') + current.slice(to);
}

const MODES_START = '<!-- builder modes: generated from BUILDER_MODES in src/inputs/component.ts by `npm run gen` -->';
const MODES_END = '<!-- end of builder modes -->';

/** The README's table of the GitLab component's `builder` modes: which runner set-up, and what it gives away. */
export function renderBuilderModesSummary(current: string): string {
  return splice(current, MODES_START, MODES_END, [
    '| `builder` | the runner | security trade-off |',
    '| --- | --- | --- |',
    ...Object.entries(BUILDER_MODES).map(
      ([name, mode]) => `| \`${name}\` | ${cell(mode.setup)} | ${cell(mode.risk)} |`,
    ),
  ]);
}

/** docs/builders.md's table of the `builder` modes: what builds, what the runner needs, what it gives away. */
export function renderBuilderModes(current: string): string {
  return splice(current, MODES_START, MODES_END, [
    '| `builder` | what builds | the runner needs | security trade-off |',
    '| --- | --- | --- | --- |',
    ...Object.entries(BUILDER_MODES).map(
      ([name, mode]) => `| \`${name}\` | ${cell(mode.what)} | ${cell(mode.runner)} | ${cell(mode.tradeOff)} |`,
    ),
  ]);
}
