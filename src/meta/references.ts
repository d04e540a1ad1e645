/**
 * `tags` lines that are full image references, as docker/build-push-action takes them: `ghcr.io/acme/app:1.2`,
 * `docker.io/library/x:latest`, `localhost:5000/x:y`, `user/app` (Docker's `latest` then). Such a line is that
 * reference, pushed as written; it is never turned into a tag. Every other line is a metadata-action rule
 * (`type=semver,pattern={{version}}`, or a bare value, which metadata-action reads as `type=raw,value=...`).
 *
 * A line is taken for references when none of its comma-separated fields has a key (`=`) or an expression (`{{`)
 * and one of them has a `/` or a `:`, which no tag can hold: build-push-action's `user/app:1,user/app:2` are two.
 * Each must then parse as a reference, or the line is an error that names it: it is neither a rule nor a reference.
 */
import { InputError } from '../errors.js';
import { splitFields } from './fields.js';
import { isImageName } from './images.js';

/** A tag reference: the repository (lowercased) and the tag. */
export interface ImageReference {
  repository: string;
  tag: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface TagLines {
  /** metadata-action rules, in input order */
  rules: string[];
  /** full references, in input order, without duplicates */
  references: ImageReference[];
}

export function splitTagLines(lines: readonly string[]): TagLines {
  const rules: string[] = [];
  const references: ImageReference[] = [];
  for (const line of lines) {
    const fields = splitFields('tags', line);
    const bare = fields.every((field) => field.key === undefined && !field.value.includes('{{'));
    if (!bare || !fields.some((field) => /[/:]/.test(field.value))) {
      rules.push(line);
      continue;
    }
    for (const field of fields) {
      const reference = parseReference(field.value, line);
      if (!references.some((r) => r.repository === reference.repository && r.tag === reference.tag)) {
        references.push(reference);
      }
    }
  }
  return { rules, references };
}

export function referenceText(reference: ImageReference): string {
  return `${reference.repository}:${reference.tag}`;
}

function parseReference(text: string, line: string): ImageReference {
  const fail = (why: string): never => {
    throw new InputError(
      'tags',
      line === text ? line : text,
      `${why}; a tags line is either a tag rule such as type=ref,event=branch or a full image reference such as ghcr.io/org/app:1.2`,
    );
  };
  if (text.includes('@')) fail('a reference to tag cannot carry a digest (@sha256:...)');
  // Beside references, a bare word is a slip (`app:1,latest`), not Docker Hub's `library/latest`.
  if (!/[/:]/.test(text)) fail('not an image reference: write it whole, such as ghcr.io/org/app:latest');
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  const hasTag = colon > slash;
  const repository = (hasTag ? text.slice(0, colon) : text).toLowerCase();
  const tag = hasTag ? text.slice(colon + 1) : 'latest';
  if (!isImageName(repository)) {
    fail(
      'not an image reference: expected an optional registry host, then /-separated components of lowercase letters and digits joined by ".", "_", "__" or "-", then :tag',
    );
  }
  if (!TAG.test(tag)) fail(`"${tag}" is not a valid tag: expected [A-Za-z0-9_][A-Za-z0-9_.-], at most 128 characters`);
  return { repository, tag };
}
