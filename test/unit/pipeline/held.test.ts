// A step started ahead of its turn: its lines are held until shown, in order, in its own turn; abandoning it stops
// the programs it runs.
import { describe, expect, it } from 'vitest';
import { SecretMask } from '../../../src/exec/mask.js';
import { startHeld } from '../../../src/pipeline/held.js';
import { testStep } from '../helpers/step.js';

function setup() {
  const mask = new SecretMask();
  mask.add('s3cret');
  return testStep('held-', { mask });
}

describe('a step started ahead of its turn', () => {
  it('holds its lines until shown, then shows them in order after what ran meanwhile', async () => {
    const { step, log } = setup();
    const held = startHeld(step, async (own) => {
      await own.runner.run('echo', ['checking s3cret'], {});
      own.reporter.info('checked');
      own.reporter.warning('a warning');
      return 'trivy';
    });
    await held.result;
    step.reporter.info('meanwhile');
    expect(log.join('\n')).not.toContain('checked');
    expect(await held.shown()).toBe('trivy');
    const text = log.join('\n');
    expect(text.indexOf('meanwhile')).toBeLessThan(text.indexOf('$ echo'));
    expect(text.indexOf('$ echo')).toBeLessThan(text.indexOf('checked'));
    expect(text).toContain('checking ***');
    expect(text).toMatch(/a warning/);
  });

  it('a failed step shows its lines and fails in its turn, never before', async () => {
    const { step, log } = setup();
    const held = startHeld(step, (own) => {
      own.reporter.info('looked');
      return Promise.reject(new Error('wrong version'));
    });
    await new Promise((done) => setTimeout(done, 10));
    expect(log).toEqual([]);
    await expect(held.shown()).rejects.toThrow('wrong version');
    expect(log.join('\n')).toContain('looked');
  });

  it('abandoned, it stops the program it runs', async () => {
    const { step } = setup();
    const held = startHeld(step, (own) => own.runner.run('sleep', ['30'], {}));
    const started = Date.now();
    held.abandon();
    await expect(held.result).rejects.toThrow(/cancelled/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
