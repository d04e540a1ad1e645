// ncc emits an ES module bundle; this marks dist/ as ESM so that `node dist/index.js` runs it as one on Node 20 and 24
// whatever package.json sits above it (an action checkout, an npm install, the GitLab runner image).
import { writeFileSync } from 'node:fs';

writeFileSync(new URL('../dist/package.json', import.meta.url), JSON.stringify({ type: 'module' }, null, 2) + '\n');
