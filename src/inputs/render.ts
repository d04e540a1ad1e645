/**
 * Renders the input table into the files generated from it: action.yml and the README's inputs/outputs reference
 * (and, with the GitLab component, its `spec: inputs`). `npm run gen` writes them; a unit test fails when the
 * committed files differ from what this renders.
 */
import { stringify } from 'yaml';
import { INPUTS, OUTPUTS, type InputGroup, type InputSpec } from './table.js';

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

const GROUPS: readonly InputGroup[] = ['Tags and labels', 'Build', 'Cache', 'Scan gate', 'Registry login', 'Builder'];

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

/** The README's reference: inputs by group, then outputs. */
export function renderReference(): string {
  const lines: string[] = [];
  for (const group of GROUPS) {
    lines.push(`#### ${group}`, '', '| input | type | default | description |', '| --- | --- | --- | --- |');
    for (const spec of INPUTS.filter((s) => s.group === group)) {
      const only = spec.platforms.length < 3 ? ` (${spec.platforms.join(', ')} only)` : '';
      const secret = spec.secret === true ? ' **Secret.**' : '';
      lines.push(
        `| \`${spec.name}\` | ${typeOf(spec)} | ${defaultOf(spec)} | ${cell(spec.description)}${secret}${only} |`,
      );
    }
    lines.push('');
  }
  lines.push('#### Outputs', '', '| output | description |', '| --- | --- |');
  for (const output of OUTPUTS) lines.push(`| \`${output.name}\` | ${cell(output.description)} |`);
  return lines.join('\n') + '\n';
}

export const REFERENCE_START = '<!-- reference:start (generated from src/inputs/table.ts by npm run gen) -->';
export const REFERENCE_END = '<!-- reference:end -->';

/** The README with its reference section replaced by a fresh rendering. */
export function withReference(readme: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('README.md has no reference markers');
  return `${readme.slice(0, start + REFERENCE_START.length)}\n\n${renderReference()}\n${readme.slice(end)}`;
}
