import { describe, expect, it } from 'vitest';
import { splitTagLines } from '../../../src/meta/references.js';

describe('tags lines: metadata-action rules, or full image references as build-push-action takes them', () => {
  it.each([
    ['ghcr.io/acme/app:latest', [], ['ghcr.io/acme/app:latest']],
    ['docker.io/library/x:latest', [], ['docker.io/library/x:latest']],
    ['localhost:5000/x:y', [], ['localhost:5000/x:y']],
    ['registry.lab.test:5443/e2e/app:1.2.3', [], ['registry.lab.test:5443/e2e/app:1.2.3']],
    // Docker's own default tag, written out
    ['ghcr.io/acme/app', [], ['ghcr.io/acme/app:latest']],
    ['localhost:5000/x', [], ['localhost:5000/x:latest']],
    ['user/app:1.0.0', [], ['user/app:1.0.0']],
    // build-push-action splits tags on commas
    ['user/app:latest,user/app:1.0.0', [], ['user/app:latest', 'user/app:1.0.0']],
    ['"ghcr.io/acme/app:1.2"', [], ['ghcr.io/acme/app:1.2']],
    // repositories are lowercased, as the images input is; tags keep their case
    ['ghcr.io/Acme/App:V1', [], ['ghcr.io/acme/app:V1']],
    // rules, and metadata-action's bare values (type=raw)
    ['type=semver,pattern={{version}}', ['type=semver,pattern={{version}}'], []],
    ['type=raw,value=ghcr.io', ['type=raw,value=ghcr.io'], []],
    ['latest', ['latest'], []],
    ['{{branch}}-{{date "YYYY:MM"}}', ['{{branch}}-{{date "YYYY:MM"}}'], []],
    ['type=match,"pattern=\\d.\\d.\\d"', ['type=match,"pattern=\\d.\\d.\\d"'], []],
  ])('%s', (line, rules, references) => {
    const split = splitTagLines([line]);
    expect(split.rules).toEqual(rules);
    expect(split.references.map((r) => `${r.repository}:${r.tag}`)).toEqual(references);
  });

  it('keeps rules and references apart, in order, without duplicate references', () => {
    expect(
      splitTagLines(['type=ref,event=branch', 'ghcr.io/o/a:1', 'type=sha', 'ghcr.io/o/a:1', 'ghcr.io/o/a:2']),
    ).toEqual({
      rules: ['type=ref,event=branch', 'type=sha'],
      references: [
        { repository: 'ghcr.io/o/a', tag: '1' },
        { repository: 'ghcr.io/o/a', tag: '2' },
      ],
    });
  });

  it.each([
    ['ghcr.io/acme/app@sha256:' + 'a'.repeat(64), /a reference to tag cannot carry a digest/],
    ['ghcr.io/acme/app:', /"" is not a valid tag/],
    ['ghcr.io/acme/app:-x', /"-x" is not a valid tag/],
    ['ghcr.io//app:1', /not an image reference/],
    ['ghcr.io/acme/app:1,latest', /Invalid tags "latest": not an image reference/],
    ['https://ghcr.io/acme/app:1', /not an image reference/],
  ])('%s is neither a rule nor a reference: an error that names it', (line, message) => {
    expect(() => splitTagLines([line])).toThrow(message);
    expect(() => splitTagLines([line])).toThrow(
      /a tags line is either a tag rule such as type=ref,event=branch or a full image reference/,
    );
  });
});
