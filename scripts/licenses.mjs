// dist/licenses.txt: the license of every package dist/ contains, chunks and all. The packages are read from the module
// graph ncc's webpack reports (`ncc build --stats-out`, which `npm run build` writes to STATS): ncc's own --license
// writes the packages of the last chunk it emits only, and package.json cannot say which packages are bundled, since
// they are all devDependencies (dist/ is self-contained: the npm package installs nothing with it).
// Each entry: the name, the license identifier, then the license file's text, as ncc wrote them.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const STATS = 'node_modules/.ncc-stats.json';

const statsFile = new URL(STATS, root);
const stats = JSON.parse(readFileSync(statsFile, 'utf8'));

/** The directory of the package each bundled module comes from (the innermost node_modules/NAME or @scope/NAME). */
const packageDirs = new Set();
const visit = (modules) => {
  for (const module of modules ?? []) {
    // A concatenated module lists the modules it is made of; its own name is the first of them.
    visit(module.modules);
    const path = module.nameForCondition;
    if (typeof path !== 'string') continue; // webpack's runtime and Node's built-ins (external "node:fs")
    const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (match !== null) packageDirs.add(match[1]);
  }
};
visit(stats.modules);
if (packageDirs.size === 0) throw new Error(`${STATS} names no package: did ncc write it?`);

const entries = new Map();
for (const dir of packageDirs) {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  const text = file === undefined ? '' : readFileSync(`${dir}/${file}`, 'utf8').trim();
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
  const key = `${pkg.name}@${pkg.version}`;
  if (!entries.has(key)) entries.set(key, `${pkg.name}\n${license}\n${text}\n`);
}
const sorted = [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, entry]) => entry);
writeFileSync(new URL('dist/licenses.txt', root), sorted.join('\n'));
// The stats are tens of megabytes and only this script reads them.
rmSync(statsFile);
console.log(`dist/licenses.txt: ${sorted.length} packages`);
