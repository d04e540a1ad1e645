// ncc's --minify minifies dist/index.js only: the chunks it emits for dynamic import()s (@actions/core, @actions/cache
// with Azure's storage client) come out as written. They are minified here with the options ncc itself gives terser
// (no compression, names kept for readable stack traces), which halves them.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

const dist = new URL('../dist/', import.meta.url);
for (const name of readdirSync(dist).filter((file) => /^\d+\.index\.js$/.test(file))) {
  const file = new URL(name, dist);
  const source = readFileSync(file, 'utf8');
  const result = await minify(source, {
    module: true,
    compress: false,
    mangle: { keep_classnames: true, keep_fnames: true },
  });
  if (result.code === undefined) throw new Error(`terser returned nothing for dist/${name}`);
  writeFileSync(file, result.code);
  console.log(`dist/${name}: ${(source.length / 1e3).toFixed(0)} kB -> ${(result.code.length / 1e3).toFixed(0)} kB`);
}
