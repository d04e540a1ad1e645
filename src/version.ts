// The version is read from package.json at bundle time, so `dist/` always reports the version it was built from.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
export const NAME: string = pkg.name;
