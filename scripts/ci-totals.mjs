// Totals the vitest JSON reports in a directory into the closing line CI reads: `N passed, N failed[, N skipped]`.
// A suite without a report did not run (an earlier phase failed, and .ci/run exits non-zero for that); a suite that ran
// no test fails, and in the end-to-end suite a skipped test is a failure too: a missing tool must fail the run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.';
const suites = ['unit', 'e2e'];
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
for (const suite of suites) {
  const file = join(dir, `${suite}.json`);
  if (!existsSync(file)) {
    console.log(`${suite} tests: not run`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const suiteSkipped = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += suiteSkipped;
  if (report.numFailedTests > 0 || report.success === false) ok = false;
  if (suite === 'e2e' && suiteSkipped > 0) {
    console.log(`end-to-end tests skipped ${suiteSkipped}: nothing may be skipped there`);
    ok = false;
  }
  if (report.numTotalTests === 0) {
    console.log(`${suite}: no test ran`);
    ok = false;
  }
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exitCode = ok ? 0 : 1;
