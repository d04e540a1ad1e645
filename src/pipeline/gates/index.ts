/**
 * The gates, in the order they run: a failed gate leaves no tag. `before-build` gates run once the builder is up and
 * before anything is built; `after-push` gates on every platform's image.
 */
import type { Gate } from '../step.js';
import { CHECK_GATE } from './check.js';
import { SCAN_GATE } from './scan.js';
import { TEST_GATE } from './test.js';

export const GATES: readonly Gate[] = [CHECK_GATE, SCAN_GATE, TEST_GATE];
