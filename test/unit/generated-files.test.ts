// The files generated from the input table must match it. `npm run gen` (GENERATE=1) rewrites them instead.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { COMPONENTS, JOB_INPUTS, renderComponent } from '../../src/inputs/component.js';
import {
  renderActionYml,
  renderBuilderModes,
  renderBuilderModesSummary,
  renderInputsDoc,
} from '../../src/inputs/render.js';
import { renderReusableWorkflow } from '../../src/inputs/workflow.js';
import { COMMANDS, INPUTS, OUTPUTS } from '../../src/inputs/table.js';

const root = new URL('../../', import.meta.url);

async function check(path: string, render: (current: string) => string): Promise<void> {
  const file = new URL(path, root);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const options = (await resolveConfig(file.pathname)) ?? {};
  const want = await format(render(current), { ...options, filepath: file.pathname });
  if (process.env.GENERATE === '1') {
    mkdirSync(new URL('.', file), { recursive: true });
    writeFileSync(file, want);
  } else expect(current, `${path} is stale: run npm run gen`).toBe(want);
}

describe('files generated from src/inputs/table.ts', () => {
  it('action.yml', async () => {
    await check('action.yml', () => renderActionYml());
  });

  it.each(COMMANDS)("the GitLab component's template for %s", async (command) => {
    await check(COMPONENTS[command].path, () => renderComponent(command));
  });

  it('the reusable workflow, .github/workflows/build.yml', async () => {
    await check('.github/workflows/build.yml', () => renderReusableWorkflow());
  });

  it('the inputs and outputs reference, docs/inputs.md', async () => {
    await check('docs/inputs.md', () => renderInputsDoc());
  });

  it("the tables of the GitLab component's runner set-ups: README.md, docs/builders.md", async () => {
    await check('README.md', (current) => renderBuilderModesSummary(current));
    await check('docs/builders.md', (current) => renderBuilderModes(current));
  });
});

describe('the reference', () => {
  it('names every input and output of the table and every input of the component', () => {
    const reference = renderInputsDoc();
    const names = [...INPUTS.map((s) => s.name), ...OUTPUTS.map((o) => o.name), ...Object.keys(JOB_INPUTS)];
    for (const name of names) expect(reference, name).toContain(`| \`${name}\` |`);
  });

  it('lists the dotenv variables a later GitLab job reads', () => {
    expect(renderInputsDoc()).toContain('| `DOCKER_BUILD_PLATFORM_DIGESTS` | `platform-digests` |');
  });

  it('is linked from the README, which no longer holds it', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toContain('](docs/inputs.md)');
    expect(readme).not.toContain('| `binfmt-image` |');
  });
});
