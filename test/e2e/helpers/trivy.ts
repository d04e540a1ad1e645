import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerClient } from './docker.js';
import { must } from './run.js';

export interface SecretFinding {
  target: string;
  ruleId: string;
  severity: string;
}

interface TrivyReport {
  Results?: { Target: string; Secrets?: { RuleID: string; Severity: string }[] }[];
}

/**
 * Scans one platform of an image in the registry with Trivy's secret scanner (which needs no vulnerability DB) and
 * returns its findings. Credentials come from the client's private Docker config.
 */
export async function scanSecrets(client: DockerClient, ref: string, platform: string): Promise<SecretFinding[]> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'e2e-trivy-cache-'));
  try {
    const { stdout } = await must(
      'trivy',
      [
        'image',
        '--quiet',
        '--scanners',
        'secret',
        '--format',
        'json',
        '--image-src',
        'remote',
        '--platform',
        platform,
        '--cache-dir',
        cacheDir,
        '--skip-version-check',
        ref,
      ],
      { env: client.env, timeoutMs: 300_000 },
    );
    const report = JSON.parse(stdout) as TrivyReport;
    return (report.Results ?? []).flatMap((result) =>
      (result.Secrets ?? []).map((s) => ({ target: result.Target, ruleId: s.RuleID, severity: s.Severity })),
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
