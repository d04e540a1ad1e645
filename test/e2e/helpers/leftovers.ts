import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.js';

const SKIP = new Set(['node_modules', '.git', 'go', '.npm', 'pkg']);

/**
 * Files under `roots` (at most 1 MiB each) whose content contains `needle`, written since `since` (by default since
 * this test worker started: a file older than that was not written by the runs under test, but by something else on
 * the machine, such as an earlier session's experiment, and says nothing about them).
 */
export function filesContaining(
  roots: readonly string[],
  needle: string,
  exclude: readonly string[] = [],
  since: number = performance.timeOrigin,
): string[] {
  const found: string[] = [];
  const visit = (path: string, depth: number) => {
    if (exclude.some((prefix) => path.startsWith(prefix))) return;
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return;
    }
    if (stats.isDirectory()) {
      if (depth > 8) return;
      let entries: string[];
      try {
        entries = readdirSync(path);
      } catch {
        return;
      }
      for (const entry of entries) if (!SKIP.has(entry)) visit(join(path, entry), depth + 1);
    } else if (stats.isFile() && stats.size <= 1_048_576 && stats.mtimeMs >= since) {
      try {
        if (readFileSync(path, 'latin1').includes(needle)) found.push(path);
      } catch {
        // unreadable: not ours
      }
    }
  };
  for (const root of roots) visit(root, 0);
  return found;
}

/** Where a leaked credential would be left: temp dirs, the home directory's Docker and act state, the workspace. */
export function credentialLocations(workspace: string): string[] {
  return [tmpdir(), join(homedir(), '.docker'), join(homedir(), '.cache', 'act'), workspace];
}

/** Builders docker-build made (by its naming) that still exist, as containers. */
export async function leftoverBuilders(): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '--all', '--format', '{{.Names}}']);
  return stdout.split('\n').filter((name) => name.startsWith('buildx_buildkit_docker-build-'));
}
