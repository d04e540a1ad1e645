// A StepContext for unit tests of pipeline steps: the real Runner and LocalReporter, logging into `log`, in a fresh
// directory; stand-in programs written there record their arguments in its `calls` file.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretMask } from '../../../src/exec/mask.js';
import { Runner } from '../../../src/exec/runner.js';
import { CleanupStack } from '../../../src/pipeline/cleanup.js';
import type { StepContext } from '../../../src/pipeline/step.js';
import { LocalReporter } from '../../../src/platform/local.js';

export interface TestStepOptions {
  /** put the directory first on the runner's PATH, so that programs written there stand in for the real ones */
  standIns?: boolean;
  mask?: SecretMask;
}

export function testStep(prefix: string, options: TestStepOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const log: string[] = [];
  const mask = options.mask ?? new SecretMask();
  const env = options.standIns === true ? { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` } : process.env;
  const step: StepContext = {
    runner: new Runner(mask, (line) => log.push(line), env),
    reporter: new LocalReporter(mask, (text) => log.push(text)),
    cleanup: new CleanupStack(),
    docker: { vars: {}, workDir: dir, private: true },
    cwd: dir,
  };
  /** the argument lines the stand-ins recorded, in order */
  const calls = () =>
    existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : [];
  return { dir, step, log, calls };
}
