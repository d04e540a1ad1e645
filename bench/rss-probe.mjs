// Loaded with `node --import` into docker-build's process by the measures suite: at exit it writes the process's own
// peak resident set (getrusage RUSAGE_SELF, KiB) to the file BENCH_RSS_FILE names. GNU time's %M would not do: it
// reports the largest process of the tree it waited for, which is Trivy or buildx, not docker-build.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
