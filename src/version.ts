// The version is read from package.json at bundle time, so `dist/` always reports the version it was built from.
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
/** The command's name, as package.json's `bin` installs it; the package itself is named `@docker-build/cli`. */
export const NAME = 'docker-build';
