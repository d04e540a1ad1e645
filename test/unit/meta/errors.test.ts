/** Every bad input is an InputError that names the input and repeats the value, thrown before anything is computed. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { computeMeta, parseMeta, type MetaOptions } from '../../../src/meta/index.js';
import { CLOCK, fixtureContext, options } from './helpers.js';

const ctx = fixtureContext('event_tag_v1.1.1.env');

function run(given: Partial<MetaOptions>) {
  return () => computeMeta(ctx, options(given), CLOCK);
}

describe('tags', () => {
  it.each([
    ['type=foo', /Invalid tags "type=foo": unknown type "foo"; expected one of schedule, semver, pep440/],
    [
      'type=raw,value=x,colour=red',
      /Invalid tags "type=raw,value=x,colour=red": unknown attribute "colour" for type=raw/,
    ],
    ['type=sha,format=medium', /Invalid tags "type=sha,format=medium": format must be short or long/],
    ['type=ref', /Invalid tags "type=ref": type=ref needs event=/],
    ['type=ref,event=push', /Invalid tags "type=ref,event=push": event must be branch, tag or pr/],
    ['type=ref,event=tag,foo', /Invalid tags "type=ref,event=tag,foo": type=ref takes no value/],
    ['type=semver', /Invalid tags "type=semver": type=semver needs pattern=/],
    [
      'type=semver,pattern={{major}}.{{minr}}',
      /Invalid tags "type=semver,pattern=\{\{major\}\}.\{\{minr\}\}": unknown placeholder \{\{minr\}\} in a semver pattern; expected \{\{raw\}\}, \{\{version\}\}/,
    ],
    [
      'type=pep440,pattern={{branch}}',
      /Invalid tags "type=pep440,pattern=\{\{branch\}\}": unknown placeholder \{\{branch\}\}/,
    ],
    ['type=match,pattern=v(', /Invalid tags "type=match,pattern=v\(": pattern is not a valid regular expression/],
    ['type=match,pattern=v,group=one', /Invalid tags "type=match,pattern=v,group=one": group must be a whole number/],
    ['type=semver,pattern={{version}},match=(', /Invalid tags .*: match is not a valid regular expression/],
    [
      'type=raw,value=a,priority=high',
      /Invalid tags "type=raw,value=a,priority=high": priority must be a whole number/,
    ],
    ['type=raw,value=a,value=b', /Invalid tags "type=raw,value=a,value=b": value= is given twice/],
    ['type=raw', /Invalid tags "type=raw": type=raw needs a value/],
    [
      'type=raw,value={{brnch}}',
      /Invalid tags "type=raw,value=\{\{brnch\}\}": unknown expression \{\{brnch\}\}; expected one of/,
    ],
    ['type=raw,value={{branch', /Invalid tags "type=raw,value=\{\{branch": "\{\{" without "\}\}" in "\{\{branch"/],
    ['type=raw,a,b', /Invalid tags "type=raw,a,b": the value is given twice/],
    ['type=raw,value={{#if x}}y{{/if}}', /Invalid tags .*: "\{\{#if x\}\}" is not supported/],
    ["type=raw,value={{date 'YYYY' tz='Mars/Olympus'}}", /Invalid tags .*: unknown time zone "Mars\/Olympus"/],
    ["type=raw,value={{date 'YYYY' zone='UTC'}}", /Invalid tags .*: \{\{date\}\} has no zone attribute; expected tz=/],
    ['type=raw,value={{branch 1}}', /Invalid tags .*: \{\{branch\}\} takes no parameters/],
    ['type=raw,"value=x', /Invalid tags "type=raw,\\"value=x": a quoted field is not closed/],
    ['type=raw,"value=x"y', /Invalid tags .*: expected a comma after a quoted field/],
  ])('rejects %s', (line, message) => {
    expect(run({ tags: [line] })).toThrow(InputError);
    expect(run({ tags: [line] })).toThrow(message);
  });

  it('rejects an enable that renders to neither true nor false', () => {
    expect(run({ tags: ['type=raw,value=x,enable={{tag}}'] })).toThrow(
      /Invalid tags "type=raw,value=x,enable=\{\{tag\}\}": enable must be true or false, and "\{\{tag\}\}" gives "v1.1.1"/,
    );
  });

  it('checks every line before computing anything', () => {
    expect(() => parseMeta(options({ tags: ['type=raw,value=ok', 'type=nope'] }))).toThrow(/Invalid tags "type=nope"/);
  });
});

describe('images', () => {
  it.each([
    ['user/app:1.0', /Invalid images "user\/app:1.0": expected an image name without a tag/],
    ['user/app@sha256:abc', /Invalid images "user\/app@sha256:abc": expected an image name without a digest/],
    ['user//app', /Invalid images "user\/\/app": expected an image name such as ghcr.io\/org\/app/],
    ['my app', /Invalid images "my app": expected an image name/],
    ['user/app-', /Invalid images "user\/app-": expected an image name/],
    ['/app', /Invalid images "\/app"/],
    ['name=user/app,enable=maybe', /Invalid images "name=user\/app,enable=maybe": enable must be true or false/],
    ['name=user/app,push=true', /Invalid images "name=user\/app,push=true": unknown attribute "push"/],
    ['enable=false', /Invalid images "enable=false": expected a name/],
  ])('rejects %s', (line, message) => {
    expect(run({ images: [line] })).toThrow(message);
  });

  it('lowercases names and accepts registries with ports and the Docker separators', () => {
    const meta = computeMeta(
      ctx,
      options({
        images: [
          'GHCR.io/MyUser/My_App',
          'localhost:5000/a__b/c.d/e---f',
          'user/one,user/two',
          'name=off/app,enable=false',
        ],
        tags: ['type=ref,event=tag'],
        flavor: ['latest=false'],
      }),
      CLOCK,
    );
    expect(meta.tags).toEqual([
      'ghcr.io/myuser/my_app:v1.1.1',
      'localhost:5000/a__b/c.d/e---f:v1.1.1',
      'user/one:v1.1.1',
      'user/two:v1.1.1',
    ]);
  });
});

describe('flavor', () => {
  it.each([
    ['latest=maybe', /Invalid flavor "latest=maybe": latest must be auto, true or false, not "maybe"/],
    ['latest', /Invalid flavor "latest": expected key=value entries/],
    [
      'colour=blue',
      /Invalid flavor "colour=blue": unknown entry "colour"; expected latest, prefix, suffix or onlatest/,
    ],
    ['onlatest=true', /Invalid flavor "onlatest=true": onlatest must follow prefix= or suffix=/],
    ['suffix=-x,onlatest=yes', /Invalid flavor "suffix=-x,onlatest=yes": onlatest must be true or false/],
    ['prefix={{nope}}-', /Invalid flavor "prefix=\{\{nope\}\}-": unknown expression \{\{nope\}\}/],
  ])('rejects %s', (line, message) => {
    expect(run({ flavor: [line] })).toThrow(message);
  });
});

describe('labels and annotations', () => {
  it('rejects a line without =', () => {
    expect(run({ labels: ['maintainer'] })).toThrow(/Invalid labels "maintainer": expected key=value/);
    expect(run({ annotations: ['=value'] })).toThrow(/Invalid annotations "=value": expected key=value/);
  });

  it('rejects an unknown expression in a value', () => {
    expect(run({ labels: ['built={{now}}'] })).toThrow(
      /Invalid labels "built=\{\{now\}\}": unknown expression \{\{now\}\}/,
    );
  });

  it('rejects an unknown annotation level', () => {
    expect(run({ annotationLevels: ['manifest', 'image'] })).toThrow(
      /Invalid DOCKER_METADATA_ANNOTATIONS_LEVELS "image": expected manifest, index, manifest-descriptor or index-descriptor/,
    );
  });
});
