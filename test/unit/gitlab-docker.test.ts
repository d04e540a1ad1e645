// The docker executor's arguments per GitLab builder mode (test/e2e/helpers/gitlab-docker.ts): pure, so checked here.
import { describe, expect, it } from 'vitest';
import { gitlabDockerArgs, type GitlabDockerLab } from '../e2e/helpers/gitlab-docker.js';

const GL: GitlabDockerLab = {
  helperImage: 'registry.lab.test:5443/lab/gcl-helper:1',
  waitImage: 'registry.lab.test:5443/lab/gcl-wait:1',
  dindImage: 'registry.lab.test:5443/lab/dind:20.10',
  buildkitRootlessImage: 'registry.lab.test:5443/lab/buildkit:v0.32.2-rootless',
  forwardAddress: '198.18.0.1',
  registryHosts: ['registry.lab.test', 'registry2.lab.test'],
};

const COMMON = [
  '--no-color',
  '--helper-image',
  GL.helperImage,
  '--wait-image',
  GL.waitImage,
  '--pull-policy',
  'if-not-present',
  '--extra-host',
  'registry.lab.test:198.18.0.1',
  '--extra-host',
  'registry2.lab.test:198.18.0.1',
];

describe('gitlabDockerArgs', () => {
  it('never asks for the shell executor, and gives each mode what its runner would be configured with', () => {
    expect(gitlabDockerArgs('dind', GL, '/lab/certs')).toEqual([
      ...COMMON,
      '--privileged',
      '--volume',
      '/lab/certs:/certs/client',
    ]);
    expect(gitlabDockerArgs('socket', GL)).toEqual([
      ...COMMON,
      '--volume',
      '/var/run/docker.sock:/var/run/docker.sock',
    ]);
    expect(gitlabDockerArgs('buildkit-service', GL)).toEqual([...COMMON, '--privileged']);
    expect(gitlabDockerArgs('buildkitd', GL)).toEqual([...COMMON, '--privileged']);
    for (const mode of ['dind', 'socket', 'buildkit-service', 'buildkitd'] as const) {
      expect(gitlabDockerArgs(mode, GL, '/c').join(' ')).not.toContain('--force-shell-executor');
    }
  });

  it('dind needs the directory the service and the job share for the client certificates', () => {
    expect(() => gitlabDockerArgs('dind', GL)).toThrow(/dind mode needs a directory for the client certificates/);
  });
});
