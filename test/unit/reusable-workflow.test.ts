// The reusable workflow as the caller sees it: the action's inputs (secrets as secrets), typed as workflow_call wants,
// and jobs that pass each input on to the action of the workflow's own commit. The file itself is checked for drift by
// generated-files.test.ts.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { takes } from '../../src/inputs/component.js';
import { INPUTS } from '../../src/inputs/table.js';
import { DEFAULT_RUNNERS, REUSABLE_OUTPUTS, renderReusableWorkflow } from '../../src/inputs/workflow.js';

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps: Step[];
  'runs-on': string;
  if?: string;
  permissions?: unknown;
}
interface Workflow {
  on: {
    workflow_call: {
      inputs: Record<string, { type: string; default?: unknown }>;
      secrets: Record<string, unknown>;
      outputs: Record<string, { value: string }>;
    };
  };
  jobs: Record<string, Job>;
}

const workflow = parse(renderReusableWorkflow().replace(/^#.*\n/gm, '')) as Workflow;
const call = workflow.on.workflow_call;
const github = INPUTS.filter(
  (s) => s.platforms.includes('github') && !['command', 'source', 'sources'].includes(s.name),
);
const actionStep = (job: string) => workflow.jobs[job]?.steps.find((step) => step.id === 'image');

describe('the reusable workflow, .github/workflows/build.yml', () => {
  it("takes every input of the action on GitHub but the workflow's own, secrets as secrets, and runners", () => {
    expect(Object.keys(call.inputs).sort()).toEqual(
      [...github.filter((s) => s.secret !== true).map((s) => s.name), 'runners'].sort(),
    );
    expect(Object.keys(call.secrets).sort()).toEqual(
      github
        .filter((s) => s.secret === true)
        .map((s) => s.name)
        .sort(),
    );
    expect(call.secrets).toHaveProperty('password');
    expect(call.inputs).not.toHaveProperty('password');
  });

  it('types booleans as boolean with a boolean default, everything else as string with the same default', () => {
    expect(call.inputs.push).toEqual(expect.objectContaining({ type: 'string', default: 'auto' }));
    expect(call.inputs.scan).toEqual(expect.objectContaining({ type: 'boolean', default: true }));
    expect(call.inputs.load).toEqual(expect.objectContaining({ type: 'boolean', default: false }));
    expect(call.inputs.images).toEqual(expect.not.objectContaining({ default: expect.anything() as unknown }));
    expect(JSON.parse(String(call.inputs.runners?.default))).toEqual(DEFAULT_RUNNERS);
  });

  it('gives the merge job outputs, or the single build job outputs', () => {
    expect(Object.keys(call.outputs)).toEqual([...REUSABLE_OUTPUTS]);
    expect(call.outputs.digest?.value).toBe(
      "${{ jobs.prepare.outputs.single == 'true' && jobs.build.outputs.digest || jobs.merge.outputs.digest }}",
    );
  });

  it('runs the action of its own commit, checked out with job.workflow_repository and job.workflow_sha', () => {
    for (const job of ['build', 'merge']) {
      const steps = workflow.jobs[job]?.steps ?? [];
      const own = steps.find((step) => step.with?.path === '.docker-build');
      expect(own?.with).toEqual(
        expect.objectContaining({ repository: '${{ job.workflow_repository }}', ref: '${{ job.workflow_sha }}' }),
      );
      expect(actionStep(job)?.uses).toBe('./.docker-build');
      expect(steps.some((step) => /^org\/docker-build|@main$/.test(step.uses ?? ''))).toBe(false);
    }
  });

  it('builds each platform on its runner by digest, and merges with the inputs merge takes', () => {
    const build = actionStep('build')?.with ?? {};
    expect(workflow.jobs.build?.['runs-on']).toBe('${{ matrix.runner }}');
    expect(build.platforms).toBe('${{ matrix.platform }}');
    expect(build.push).toBe("${{ needs.prepare.outputs.single == 'true' && inputs.push || 'digest' }}");
    expect(build.password).toBe('${{ secrets.password }}');
    expect(build['github-token']).toBe('${{ secrets.github-token || github.token }}');
    const merge = actionStep('merge')?.with ?? {};
    expect(merge.command).toBe('merge');
    expect(Object.keys(merge).sort()).toEqual(
      [...github.filter((s) => takes('merge', s)).map((s) => s.name), 'command', 'sources'].sort(),
    );
    expect(merge).not.toHaveProperty('platforms');
    expect(workflow.jobs.merge?.if).toBe("${{ !(needs.prepare.outputs.single == 'true') }}");
  });

  it('asks for no permission of its own: prepare none, the others what the caller grants', () => {
    expect(workflow.jobs.prepare?.permissions).toEqual({});
    expect(workflow.jobs.build).not.toHaveProperty('permissions');
    expect(workflow.jobs.merge).not.toHaveProperty('permissions');
  });
});
