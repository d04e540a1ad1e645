/**
 * The test gate's `test` input, split into an argument vector the way a POSIX shell splits a simple command (quotes,
 * backslashes), by shell-quote (https://github.com/ljharb/shell-quote), and nothing more: the vector is run without a
 * shell, by `docker run` or a Dockerfile's exec-form `RUN [...]`, identically in both. Whatever only a shell could give
 * a meaning to (a pipe, `&&`, a redirection, a glob, a `$VARIABLE`, a comment) is refused with a pointer to
 * `sh -c '...'`, rather than passed on as text the user did not mean: a test that silently runs something else would
 * pass for the wrong reason.
 *
 * Why shell-quote and not string-argv: string-argv knows quotes but not backslash escapes, and reports no operator, so
 * `a | b` would become three plain words; why not one argument per line: GitLab users write the command as they wrote
 * it after `docker run $IMAGE`, on one line.
 */
import { parse } from 'shell-quote';
import { InputError } from '../errors.js';

export function parseCommand(input: string, text: string): string[] {
  const variables: string[] = [];
  // shell-quote asks for every `$NAME` outside single quotes: noted, and the command refused below.
  const words = parse(text, (name: string) => {
    variables.push(name);
    return '';
  });
  const shellOnly = (what: string): never => {
    throw new InputError(
      input,
      text,
      `${what} means something to a shell only, and the command runs without one: write sh -c '...' ` +
        "(single quotes: the image's shell then reads it), or quote it to pass it as text",
    );
  };
  if (variables.length > 0) shellOnly(`$${variables[0] ?? ''}`);
  const argv = words.map((word) => {
    if (typeof word === 'string') return word;
    if ('comment' in word) return shellOnly(`#${word.comment}`);
    if (word.op === 'glob') return shellOnly(`the pattern ${word.pattern}`);
    return shellOnly(`"${word.op}"`);
  });
  if ((argv[0] ?? '') === '') throw new InputError(input, text, 'expected a command');
  return argv;
}
