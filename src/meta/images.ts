/**
 * The `images` input, as docker/metadata-action reads it: one image per line, either a bare name or
 * `name=...,enable=true|false`; a line of bare names separated by commas is several images (the old format). Names
 * are lowercased, then checked against the Docker reference grammar (distribution/reference): an optional registry
 * host (with port), then `/`-separated path components of lowercase letters and digits joined by `.`, `_`, `__` or
 * dashes; at most 255 characters; no tag and no digest (the tags come from the `tags` input).
 */
import { InputError } from '../errors.js';
import { splitFields } from './fields.js';

export interface ImageName {
  name: string;
  enable: boolean;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-f0-9:]+\\])`;
const NAME = new RegExp(`^(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
export const MAX_NAME_LENGTH = 255;

/** A repository name (no tag, no digest), lowercased, as the Docker reference grammar takes it. */
export function isImageName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

const EXPECTED =
  'expected an image name such as ghcr.io/org/app: an optional registry host, then /-separated components of ' +
  'lowercase letters and digits joined by ".", "_", "__" or "-"';

export function parseImages(lines: readonly string[]): ImageName[] {
  return lines.flatMap((line) => parseImageLine(line));
}

/** Enabled image names, lowercased, without duplicates, in input order. */
export function enabledImages(images: readonly ImageName[]): string[] {
  return [...new Set(images.filter((image) => image.enable).map((image) => image.name))];
}

function parseImageLine(line: string): ImageName[] {
  const fields = splitFields('images', line);
  if (fields.every((field) => field.key === undefined)) {
    return fields.map((field) => ({ name: checkName(field.value, line), enable: true }));
  }
  let name: string | undefined;
  let enable = true;
  for (const field of fields) {
    switch (field.key) {
      case undefined:
      case 'name':
        if (name !== undefined)
          throw new InputError('images', line, 'expected one image name per line with attributes');
        name = checkName(field.value, line);
        break;
      case 'enable':
        if (field.value !== 'true' && field.value !== 'false') {
          throw new InputError('images', line, `enable must be true or false, not "${field.value}"`);
        }
        enable = field.value === 'true';
        break;
      default:
        throw new InputError('images', line, `unknown attribute "${field.key}"; expected name or enable`);
    }
  }
  if (name === undefined) throw new InputError('images', line, 'expected a name');
  return [{ name, enable }];
}

function checkName(text: string, line: string): string {
  const name = text.toLowerCase();
  if (name.includes('@')) {
    throw new InputError('images', text, 'expected an image name without a digest (@sha256:...)');
  }
  const lastSlash = name.lastIndexOf('/');
  if (name.slice(lastSlash + 1).includes(':')) {
    throw new InputError('images', text, 'expected an image name without a tag: the tags come from the tags input');
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new InputError('images', text, `expected at most ${MAX_NAME_LENGTH} characters`);
  }
  if (!NAME.test(name)) throw new InputError('images', text === '' ? line : text, EXPECTED);
  return name;
}
