import { describe, expect, it } from 'vitest';
import { pulledImages } from '../../../src/plan/dockerfile.js';

describe('the images a Dockerfile pulls (for their registries’ credentials)', () => {
  it.each([
    ['FROM alpine:3.22', [], ['alpine:3.22']],
    ['from ghcr.io/o/base:1 as base\nFROM base\nRUN true', [], ['ghcr.io/o/base:1']],
    ['FROM scratch\nCOPY x /x', [], []],
    [
      'FROM --platform=$BUILDPLATFORM golang:1.26 AS build\nFROM gcr.io/distroless/static',
      [],
      ['golang:1.26', 'gcr.io/distroless/static'],
    ],
    // global ARGs, their defaults, and the build-args over them
    ['ARG BASE=alpine:3.22\nFROM $BASE', [], ['alpine:3.22']],
    [
      'ARG BASE=alpine:3.22\nFROM ${BASE}',
      [{ key: 'BASE', value: 'registry.lab.test:5443/lab/busybox:1' }],
      ['registry.lab.test:5443/lab/busybox:1'],
    ],
    ['ARG REGISTRY\nFROM ${REGISTRY:-docker.io}/library/node:24', [], ['docker.io/library/node:24']],
    // an ARG with no value anywhere: left out, never guessed
    ['ARG BASE\nFROM $BASE', [], []],
    // an ARG after FROM does not take part in a later FROM
    ['FROM a.io/x\nARG B=b.io/y\nFROM $B', [], ['a.io/x']],
    [
      'FROM a.io/x AS one\nCOPY --from=one /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1 /etc/nginx /etc/nginx',
      [],
      ['a.io/x', 'nginx:1'],
    ],
    ['FROM a.io/x\nRUN --mount=type=bind,from=b.io/tools:1,target=/t make', [], ['a.io/x', 'b.io/tools:1']],
    ['# syntax=docker/dockerfile:1.10\n# a comment\nFROM \\\n  a.io/x', [], ['docker/dockerfile:1.10', 'a.io/x']],
    ['FROM a.io/x\n# syntax=not/a-directive:1', [], ['a.io/x']],
  ])('%j', (dockerfile, args, images) => {
    expect(pulledImages(dockerfile, args)).toEqual(images);
  });
});
