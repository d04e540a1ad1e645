/**
 * The pipeline: log in, set up the builder and QEMU, build once and push by digest, then attach the tags; and the
 * outputs. Every step is a log group with its time; whatever the run created is on the cleanup stack, unwound by the
 * caller on every exit path.
 */
import type { RegistryLogin } from '../inputs/login.js';
import type { Inputs } from '../inputs/parse.js';
import type { Plan } from '../plan/types.js';
import {
  attachTags,
  build,
  login,
  pushedPlatformDigests,
  setUpBuilder,
  setUpEmulation,
  type StepContext,
} from './steps.js';

export interface Outputs {
  digest: string;
  platformDigests: Record<string, string>;
  image: string;
  tags: string[];
  labels: string[];
  annotations: string[];
  version: string;
  metadata: string;
  imageid: string;
}

export interface StepTime {
  step: string;
  seconds: number;
}

export async function runPipeline(
  step: StepContext,
  plan: Plan,
  inputs: Inputs,
  logins: readonly RegistryLogin[],
): Promise<{ outputs: Outputs; times: StepTime[] }> {
  const times: StepTime[] = [];
  const timed = async <T>(title: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await step.reporter.group(title, fn);
    } finally {
      times.push({ step: title, seconds: (performance.now() - started) / 1000 });
    }
  };

  step.reporter.info(plan.push.push ? `pushing: ${plan.push.reason}` : `not pushing: ${plan.push.reason}`);
  if (logins.length > 0) await timed('Log in to registries', () => login(step, logins));
  const builder = await timed('Set up the builder', () => setUpBuilder(step, plan));
  await timed('Set up QEMU', () => setUpEmulation(step, builder, plan.platforms, inputs.binfmtImage));
  const metadata = await timed('Build', () => build(step, plan, inputs, builder));

  const output = plan.build.output;
  let platformDigests: Record<string, string> = {};
  let image = '';
  const digest = metadata.digest ?? '';
  if (output.kind === 'push-by-digest') {
    if (digest === '') throw new Error('buildx reported no digest for the pushed image');
    const [first] = output.repositories;
    if (first === undefined) throw new Error('nothing to push to');
    image = `${first}@${digest}`;
    platformDigests = await timed('Inspect the pushed image', () =>
      pushedPlatformDigests(step, builder, first, digest, plan.platforms[0] ?? 'unknown'),
    );
    // The scan gate goes here: nothing is tagged until every check on `digest` has passed.
    await timed('Attach tags', () => attachTags(step, plan, builder, digest));
  }

  return {
    outputs: {
      digest,
      platformDigests,
      image,
      tags: output.kind === 'none' ? [] : plan.tags,
      labels: plan.labels.map((label) => `${label.key}=${label.value}`),
      annotations: plan.annotations,
      version: plan.version ?? '',
      metadata: JSON.stringify(metadata.raw),
      imageid: output.kind === 'load' ? (metadata.configDigest ?? '') : '',
    },
    times,
  };
}

/** Every output, as text, under the names of the input table's outputs. */
export function outputValues(outputs: Outputs): Record<string, string> {
  return {
    digest: outputs.digest,
    'platform-digests': JSON.stringify(outputs.platformDigests),
    image: outputs.image,
    tags: outputs.tags.join('\n'),
    labels: outputs.labels.join('\n'),
    annotations: outputs.annotations.join('\n'),
    version: outputs.version,
    metadata: outputs.metadata,
    imageid: outputs.imageid,
  };
}

/** The GitHub job summary: what was built, where, and how long each step took. */
export function summaryMarkdown(plan: Plan, outputs: Outputs, times: readonly StepTime[]): string {
  const lines = ['## docker-build', ''];
  lines.push(plan.push.push ? `Pushed: ${plan.push.reason}.` : `Not pushed: ${plan.push.reason}.`, '');
  if (outputs.digest !== '') lines.push(`**Digest:** \`${outputs.digest}\``, '');
  if (outputs.tags.length > 0) lines.push('**Tags:**', '', ...outputs.tags.map((tag) => `- \`${tag}\``), '');
  const platforms = Object.entries(outputs.platformDigests);
  if (platforms.length > 0) {
    lines.push('| platform | digest |', '| --- | --- |', ...platforms.map(([p, d]) => `| ${p} | \`${d}\` |`), '');
  }
  lines.push('| step | seconds |', '| --- | ---: |', ...times.map((t) => `| ${t.step} | ${t.seconds.toFixed(1)} |`));
  return lines.join('\n') + '\n';
}
