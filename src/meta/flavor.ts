/**
 * The `flavor` input: `latest=auto|true|false`, `prefix=...` and `suffix=...`, each of the last two optionally
 * followed by `,onlatest=true` to apply to the `latest` tag too. Later lines override earlier ones.
 */
import { InputError } from '../errors.js';
import { splitFields } from './fields.js';
import { checkedTemplate } from './globals.js';
import { literal, type Template } from './template.js';

export type LatestMode = 'auto' | 'true' | 'false';

export interface Flavor {
  latest: LatestMode;
  prefix: Template;
  prefixOnLatest: boolean;
  suffix: Template;
  suffixOnLatest: boolean;
}

const LATEST: readonly string[] = ['auto', 'true', 'false'];

export function parseFlavor(lines: readonly string[]): Flavor {
  const flavor: Flavor = {
    latest: 'auto',
    prefix: literal(''),
    prefixOnLatest: false,
    suffix: literal(''),
    suffixOnLatest: false,
  };
  for (const line of lines) {
    let onLatestFor: 'prefix' | 'suffix' | undefined;
    for (const field of splitFields('flavor', line)) {
      switch (field.key) {
        case 'latest':
          if (!LATEST.includes(field.value)) {
            throw new InputError('flavor', line, `latest must be auto, true or false, not "${field.value}"`);
          }
          flavor.latest = field.value as LatestMode;
          break;
        case 'prefix':
        case 'suffix':
          flavor[field.key] = checkedTemplate('flavor', line, field.value);
          onLatestFor = field.key;
          break;
        case 'onlatest':
          if (field.value !== 'true' && field.value !== 'false') {
            throw new InputError('flavor', line, `onlatest must be true or false, not "${field.value}"`);
          }
          if (onLatestFor === undefined)
            throw new InputError('flavor', line, 'onlatest must follow prefix= or suffix=');
          flavor[onLatestFor === 'prefix' ? 'prefixOnLatest' : 'suffixOnLatest'] = field.value === 'true';
          break;
        case undefined:
          throw new InputError('flavor', line, `expected key=value entries, not "${field.value}"`);
        default:
          throw new InputError(
            'flavor',
            line,
            `unknown entry "${field.key}"; expected latest, prefix, suffix or onlatest`,
          );
      }
    }
  }
  return flavor;
}
