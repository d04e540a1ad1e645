// Whether QEMU is looked for: a stand-in `docker` on PATH records every call and answers `buildx inspect` with a
// builder that runs linux/amd64 and linux/arm64.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Builder } from '../../../../src/pipeline/step.js';
import { setUpEmulation } from '../../../../src/pipeline/steps/builder.js';
import { testStep } from '../../helpers/step.js';

function setup() {
  const { dir, step, log, calls } = testStep('emulation-', { standIns: true });
  writeFileSync(
    join(dir, 'docker'),
    [
      '#!/bin/sh',
      `echo "$*" >>${join(dir, 'calls')}`,
      'echo "Name: b"',
      'echo "Platforms: linux/amd64, linux/amd64/v2, linux/arm64"',
    ].join('\n'),
  );
  chmodSync(join(dir, 'docker'), 0o755);
  return { step, log, calls };
}

describe('QEMU, only when a requested platform needs it', () => {
  const created: Builder = { name: 'b', created: true };

  it("a new builder on this machine's engine, asked for the engine's platform: no look at all", async () => {
    const { step, log, calls } = setup();
    await setUpEmulation(step, created, ['linux/amd64'], 'binfmt', 'linux/amd64');
    expect(calls()).toEqual([]);
    expect(log.join('\n')).toContain("QEMU: skipped, linux/amd64 is the platform of this machine's engine");
  });

  it('a new builder asked for another platform, or on an engine elsewhere: the builder is inspected once', async () => {
    for (const [platforms, engine] of [
      [['linux/amd64', 'linux/arm64'], 'linux/amd64'],
      [['linux/amd64'], undefined],
    ] as const) {
      const { step, log, calls } = setup();
      await setUpEmulation(step, created, platforms, 'binfmt', engine);
      expect(calls()).toEqual(['buildx inspect --bootstrap b']);
      expect(log.join('\n')).toContain(`QEMU: skipped, builder b already runs ${platforms.join(', ')}`);
    }
  });

  it('an existing builder: what setting it up read is enough', async () => {
    const { step, calls } = setup();
    await setUpEmulation(
      step,
      { name: 'b', created: false, platforms: ['linux/amd64', 'linux/arm64'] },
      ['linux/arm64'],
      'binfmt',
      'linux/amd64',
    );
    expect(calls()).toEqual([]);
  });
});
