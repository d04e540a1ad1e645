// The shape of the code: data flows one way (inputs -> context -> plan -> steps -> outputs), so a module imports only
// from its own layer or a lower one, and nothing imports in a circle. Layers, lowest first: see LAYERS.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Each module's layer, by path (the first prefix that matches). */
const LAYERS: readonly (readonly [prefix: string, layer: number])[] = [
  ['errors.ts', 0],
  ['version.ts', 0],
  ['exec/', 0],
  ['context/', 1],
  ['meta/', 1],
  ['scan/', 1],
  ['check/', 1],
  ['inputs/', 2],
  ['plan/', 3],
  ['tools/', 4],
  ['platform/', 5],
  ['pipeline/', 6],
  ['host.ts', 7],
  ['cli/', 7],
  ['main.ts', 8],
  ['cli.ts', 9],
  ['index.ts', 10],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): number {
  const path = relative(SRC, file);
  const found = LAYERS.find(([prefix]) => path === prefix || path.startsWith(prefix));
  if (found === undefined) throw new Error(`${path} is in no layer: add it to LAYERS`);
  return found[1];
}

/** The project modules a file imports (type-only imports too: they tie the modules as much). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'(\.{1,2}\/[^']+\.js)'/g)].map((match) =>
    resolve(dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts')),
  );
}

const ALL = files(SRC);
const GRAPH = new Map(ALL.map((file) => [file, imports(file)]));

describe('the code layout', () => {
  it('imports only from the same layer or a lower one', () => {
    const upward = [...GRAPH].flatMap(([file, targets]) =>
      targets
        .filter((target) => layerOf(target) > layerOf(file))
        .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of GRAPH.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of ALL) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('every module is in a layer, and every import resolves to a module', () => {
    for (const [file, targets] of GRAPH) {
      layerOf(file);
      for (const target of targets) expect(GRAPH.has(target), `${relative(SRC, file)} imports ${target}`).toBe(true);
    }
  });
});
