// dist/licenses.txt: the license of every package dist/ may contain, i.e. every production dependency of the lock
// file (ncc's --license writes the packages of the last chunk it emits only, so with chunks it left most out).
// Each entry: the name, the license identifier, then the license file's text, as ncc wrote them.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'));
const entries = new Map();
for (const [path, meta] of Object.entries(lock.packages ?? {})) {
  if (path === '' || meta.dev === true || meta.optional === true || !path.startsWith('node_modules/')) continue;
  const dir = new URL(`${path}/`, root);
  if (!existsSync(new URL('package.json', dir))) continue;
  const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  const text = file === undefined ? '' : readFileSync(new URL(file, dir), 'utf8').trim();
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
  const key = `${pkg.name}@${pkg.version}`;
  if (!entries.has(key)) entries.set(key, `${pkg.name}\n${license}\n${text}\n`);
}
const sorted = [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, entry]) => entry);
writeFileSync(new URL('dist/licenses.txt', root), sorted.join('\n'));
console.log(`dist/licenses.txt: ${sorted.length} packages`);
