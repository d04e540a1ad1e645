/**
 * What a run created and how to undo it, as a stack unwound at the end of the run, on every exit path of the local
 * command, and by GitHub's post step (from saved state) when the main step was cancelled. Undoing is idempotent, and a
 * failure to undo is a warning, never a failed job.
 */
import { rmSync } from 'node:fs';
import type { Runner } from '../exec/runner.js';
import { removeBuilderArgs } from '../tools/buildx.js';
import { containerRemoveArgs } from '../tools/test-run.js';

export type CleanupItem =
  /** a private directory: a Docker config with credentials, temporary files */
  | { kind: 'directory'; path: string }
  /** a buildx builder docker-build created, and the Docker config that knows it */
  | { kind: 'builder'; name: string; env: Record<string, string> }
  /** a container docker-build started (the test gate's), on the engine of that Docker client environment */
  | { kind: 'container'; name: string; env: Record<string, string> }
  /** a daemon docker-build started (the job's buildkitd): its process group, stopped, then killed if it lingers */
  | { kind: 'process'; name: string; pid: number }
  /** a Docker context docker-build created (for a builder on a TLS engine), in that Docker client environment */
  | { kind: 'context'; name: string; env: Record<string, string> };

export class CleanupStack {
  private readonly items: CleanupItem[];

  constructor(
    items: readonly CleanupItem[] = [],
    private readonly onChange: (serialized: string) => void = () => undefined,
  ) {
    this.items = [...items];
  }

  static parse(serialized: string, onChange?: (serialized: string) => void): CleanupStack {
    const items = serialized.trim() === '' ? [] : (JSON.parse(serialized) as CleanupItem[]);
    return new CleanupStack(items, onChange);
  }

  push(item: CleanupItem): void {
    this.items.push(item);
    this.onChange(this.serialize());
  }

  serialize(): string {
    return JSON.stringify(this.items);
  }

  get size(): number {
    return this.items.length;
  }

  /** Undoes everything, last first. Returns the warnings. */
  async unwind(runner: Runner): Promise<string[]> {
    const warnings: string[] = [];
    for (let item = this.items.pop(); item !== undefined; item = this.items.pop()) {
      try {
        await undo(item, runner);
      } catch (error) {
        warnings.push(`cleanup of ${describe(item)} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.onChange(this.serialize());
    }
    return warnings;
  }
}

function describe(item: CleanupItem): string {
  return item.kind === 'directory' ? item.path : `${item.kind} ${item.name}`;
}

/** Stops a process group: SIGTERM, up to `graceMs` for it to exit (a daemon unmounts what it mounted), then SIGKILL. */
export async function stopProcess(pid: number, graceMs = 15_000): Promise<void> {
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pid, name);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  for (let waited = 0; waited < graceMs; waited += 100) {
    if (!signal(0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  signal('SIGKILL');
}

async function undo(item: CleanupItem, runner: Runner): Promise<void> {
  switch (item.kind) {
    case 'process':
      await stopProcess(item.pid);
      return;
    case 'context':
      await runner.run('docker', ['context', 'rm', '--force', item.name], {
        env: item.env,
        quiet: true,
        allowFailure: true,
      });
      return;
    case 'directory':
      rmSync(item.path, { recursive: true, force: true });
      return;
    case 'container':
      // Gone already when it ended by itself (`--rm`): a removal that finds nothing is no failure.
      await runner.run('docker', containerRemoveArgs(item.name), { env: item.env, quiet: true, allowFailure: true });
      return;
    case 'builder': {
      const removed = await runner.run('docker', removeBuilderArgs(item.name), {
        env: item.env,
        quiet: true,
        allowFailure: true,
      });
      if (removed.code === 0) return;
      // buildx no longer knows the builder (its config is gone): remove its container and state volume directly.
      const container = `buildx_buildkit_${item.name}0`;
      await runner.run('docker', ['rm', '--force', '--volumes', container], { quiet: true, allowFailure: true });
      await runner.run('docker', ['volume', 'rm', '--force', `${container}_state`], {
        quiet: true,
        allowFailure: true,
      });
      return;
    }
  }
}
