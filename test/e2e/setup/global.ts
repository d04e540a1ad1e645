// Reads the lab's environment once for every end-to-end test, and fails (never skips) when a required tool is missing
// or the lab is not up: an end-to-end suite that silently skips passes while the product is broken.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { parseLabEnv, type LabEnv } from '../helpers/lab-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabEnv;
  }
}

const REQUIRED_TOOLS: readonly (readonly string[])[] = [
  ['docker', 'version'],
  ['docker', 'buildx', 'version'],
  ['trivy', '--version'],
  ['act', '--version'],
  ['cosign', 'version'],
  ['syft', 'version'],
  ['node_modules/.bin/gitlab-ci-local', '--version'],
];

export default function setup(project: TestProject): void {
  let exports: string;
  try {
    exports = execFileSync('bash', ['test/lab/lab.sh', 'env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error('the lab is not set up (bash test/lab/lab.sh env failed): run npm run lab:up', { cause: error });
  }
  const missing = REQUIRED_TOOLS.filter(([cmd, ...args]) => {
    try {
      execFileSync(cmd ?? '', args, { stdio: 'ignore', timeout: 30_000 });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(
      `required tools are missing or broken: ${missing.map((c) => c.join(' ')).join('; ')}: run npm run lab:up`,
    );
  }
  project.provide('lab', parseLabEnv(exports));
}
