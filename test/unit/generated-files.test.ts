// The files generated from the input table must match it. `npm run gen` (GENERATE=1) rewrites them instead.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { renderComponent } from '../../src/inputs/component.js';
import { renderActionYml, withReference } from '../../src/inputs/render.js';

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

  it("the GitLab component's template", async () => {
    await check('templates/docker-build/template.yml', () => renderComponent());
  });

  it("README.md's inputs and outputs reference", async () => {
    await check('README.md', withReference);
  });
});
