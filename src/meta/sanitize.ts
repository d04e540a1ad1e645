/**
 * Makes every produced tag a valid Docker tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`), so a push never fails on a tag
 * computed from a branch name or a date:
 * - each run of characters outside [A-Za-z0-9_.-] becomes one `-` (docker/metadata-action does the same);
 * - leading `.` and `-` are removed (metadata-action keeps them, and the push then fails);
 * - a tag longer than 128 characters keeps its first 120 and gets `-` and 7 hex digits of the SHA-256 of the whole
 *   tag, so two long tags that share their first 120 characters stay apart and a rerun gives the same tag.
 */
import { createHash } from 'node:crypto';

export const MAX_TAG_LENGTH = 128;
const KEPT_LENGTH = 120;
const HASH_LENGTH = 7;

/** The Docker tag for `text`, or undefined when nothing valid is left of it. */
export function dockerTag(text: string): string | undefined {
  const tag = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '');
  if (tag === '') return undefined;
  if (tag.length <= MAX_TAG_LENGTH) return tag;
  const hash = createHash('sha256').update(tag).digest('hex').slice(0, HASH_LENGTH);
  return `${tag.slice(0, KEPT_LENGTH)}-${hash}`;
}
