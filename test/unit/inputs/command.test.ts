import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/inputs/command.js';

describe('the test command: split as a shell splits one simple command, run without a shell', () => {
  it.each([
    ['/script/to/run/tests', ['/script/to/run/tests']],
    ['/script/run --suite "smoke tests" -v', ['/script/run', '--suite', 'smoke tests', '-v']],
    [
      'sh -c \'test -f /app/ok && echo "ok on $(uname -m)"\'',
      ['sh', '-c', 'test -f /app/ok && echo "ok on $(uname -m)"'],
    ],
    ['grep -q a\\ b /etc/motd', ['grep', '-q', 'a b', '/etc/motd']],
    ['echo "a\\"b" \'$HOME\'', ['echo', 'a"b', '$HOME']],
    ['  npm   test  ', ['npm', 'test']],
  ])('%s', (text, argv) => {
    expect(parseCommand('test', text)).toEqual(argv);
  });

  it.each([
    ['make test | tee log', /Invalid test "make test \| tee log": "\|" means something to a shell only/],
    ['a && b', /"&&" means something to a shell only, and the command runs without one: write sh -c '\.\.\.'/],
    ['run > out.txt', /">" means something to a shell only/],
    ['ls *.txt', /the pattern \*\.txt means something to a shell only/],
    ['echo $HOME', /\$HOME means something to a shell only/],
    ['echo "${HOME}/x"', /\$HOME means something to a shell only/],
    ['run # comment', /# comment means something to a shell only/],
  ])('refuses %s, naming the input and what only a shell reads', (text, message) => {
    expect(() => parseCommand('test', text)).toThrow(message);
  });

  it('refuses a command that is no command', () => {
    expect(() => parseCommand('test', '""')).toThrow(/Invalid test "\\"\\"": expected a command/);
  });
});
