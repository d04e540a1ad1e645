import { describe, expect, it } from 'vitest';
import { csvFields, parseList, type ListFormat } from '../../../src/inputs/list.js';

// The formats of src/inputs/table.ts, by the docker action option they stand for.
const CSV: ListFormat = { commas: true };
const IGNORE_COMMA: ListFormat = { commas: false };
const SECRETS: ListFormat = { commas: false, keepWhitespace: true };
const METADATA: ListFormat = { commas: false, comments: true };
const METADATA_LINES: ListFormat = { commas: false, comments: true, literalQuotes: true };
const DRIVER_OPTS: ListFormat = { commas: false, literalQuotes: true };

describe("getInputList's own cases (docker/actions-toolkit __tests__/util.test.ts)", () => {
  it.each<[string, string, ListFormat, string[]]>([
    ['single line', 'bar', CSV, ['bar']],
    ['empty', '', CSV, []],
    ['multiline', 'bar\nbaz', CSV, ['bar', 'baz']],
    ['empty lines', 'bar\n\nbaz', CSV, ['bar', 'baz']],
    ['comma', 'bar,baz', CSV, ['bar', 'baz']],
    ['empty result', 'bar,baz,', CSV, ['bar', 'baz']],
    ['different new lines', 'bar\r\nbaz', CSV, ['bar', 'baz']],
    ['different new lines and comma', 'bar\r\nbaz,bat', CSV, ['bar', 'baz', 'bat']],
    [
      'multiline and ignoring comma',
      'user/app:cache\ntype=local,src=path/to/dir',
      IGNORE_COMMA,
      ['user/app:cache', 'type=local,src=path/to/dir'],
    ],
    [
      'different new lines and ignoring comma',
      'user/app:cache\r\ntype=local,src=path/to/dir',
      IGNORE_COMMA,
      ['user/app:cache', 'type=local,src=path/to/dir'],
    ],
    ['no comments where the input has none', 'foo=bar\nbar=qux#baz', IGNORE_COMMA, ['foo=bar', 'bar=qux#baz']],
    ['comments, no infix', '# ignore this\nfoo=bar\nbar=qux#baz', METADATA, ['foo=bar', 'bar=qux#baz']],
    [
      'do not escape surrounding quotes',
      '"env.no_proxy=localhost,127.0.0.1,.mydomain"',
      DRIVER_OPTS,
      ['"env.no_proxy=localhost,127.0.0.1,.mydomain"'],
    ],
    [
      'escape surrounding quotes',
      'linux/amd64\n"linux/arm64,linux/arm/v7"',
      CSV,
      ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
    ],
    [
      'multiline values',
      'GIT_AUTH_TOKEN=abcdefgh,ijklmno=0123456789\n"MYSECRET=aaaaaaaa\nbbbbbbb\nccccccccc"\nFOO=bar',
      IGNORE_COMMA,
      ['GIT_AUTH_TOKEN=abcdefgh,ijklmno=0123456789', 'MYSECRET=aaaaaaaa\nbbbbbbb\nccccccccc', 'FOO=bar'],
    ],
    [
      'multiline values with empty lines',
      'FOO=bar\n"EMPTYLINE=aaaa\n\nbbbb\nccc"',
      IGNORE_COMMA,
      ['FOO=bar', 'EMPTYLINE=aaaa\n\nbbbb\nccc'],
    ],
    [
      'trailing new lines kept when trimming is off',
      '"PRIVATE_SSH_KEY=TESTEST\nTESTEST\nTESTEST\n\n\n"\n',
      SECRETS,
      ['PRIVATE_SSH_KEY=TESTEST\nTESTEST\nTESTEST\n\n\n'],
    ],
    [
      'multiline values without quotes are several entries',
      'MYSECRET=aaaaaaaa\nbbbbbbb\nFOO=bar',
      IGNORE_COMMA,
      ['MYSECRET=aaaaaaaa', 'bbbbbbb', 'FOO=bar'],
    ],
    [
      'multiline values escape quotes',
      '"MYSECRET=aaaaaaaa\nbbbb""bbb\nccccccccc"\nFOO=bar',
      IGNORE_COMMA,
      ['MYSECRET=aaaaaaaa\nbbbb"bbb\nccccccccc', 'FOO=bar'],
    ],
    [
      'keep quotes',
      'type=image,"name=ghcr.io/a/b,docker.io/a/b",push-by-digest=true',
      DRIVER_OPTS,
      ['type=image,"name=ghcr.io/a/b,docker.io/a/b",push-by-digest=true'],
    ],
  ])('%s', (_name, text, format, want) => {
    expect(parseList('x', text, format)).toEqual(want);
  });
});

describe('the forms docs.docker.com gives for build-push-action (build/ci/github-actions/secrets)', () => {
  it('a quoted line, commas, several lines, an empty line, doubled quotes', () => {
    const text = [
      '"github_token=ghs_abc"',
      'GIT_AUTH_TOKEN=abcdefghi,jklmno=0123456789',
      '"MYSECRET=aaaaaaaa',
      'bbbbbbb',
      'ccccccccc"',
      'FOO=bar',
      '"EMPTYLINE=aaaa',
      '',
      'bbbb',
      'ccc"',
      '"JSON_SECRET={""key1"":""value1"",""key2"":""value2""}"',
    ].join('\n');
    expect(parseList('secrets', text, SECRETS, true)).toEqual([
      'github_token=ghs_abc',
      'GIT_AUTH_TOKEN=abcdefghi,jklmno=0123456789',
      'MYSECRET=aaaaaaaa\nbbbbbbb\nccccccccc',
      'FOO=bar',
      'EMPTYLINE=aaaa\n\nbbbb\nccc',
      'JSON_SECRET={"key1":"value1","key2":"value2"}',
    ]);
  });

  it('secret-files: a quoted line', () => {
    expect(parseList('secret-files', '"MY_SECRET=./secret.txt"', IGNORE_COMMA)).toEqual(['MY_SECRET=./secret.txt']);
  });
});

describe('whitespace, quotes and line endings', () => {
  it.each<[string, string, ListFormat, string[]]>([
    ['entries are trimmed', '  a  \n\tb\t', IGNORE_COMMA, ['a', 'b']],
    ['secrets keep spaces, quoted or not', '"K=  padded  "\nL=tail  ', SECRETS, ['K=  padded  ', 'L=tail  ']],
    ['a blank line is no entry, in secrets too', 'A=1\n   \n\t\nB=2', SECRETS, ['A=1', 'B=2']],
    [
      'a quote inside a field is text',
      'key="quoted value"\nk2=a "b" c',
      IGNORE_COMMA,
      ['key="quoted value"', 'k2=a "b" c'],
    ],
    ['a quoted field among others keeps its commas', 'a,"b,c",d', CSV, ['a', 'b,c', 'd']],
    ['commas are kept where the input ignores them', 'A=1,2\n"B=3,4"', IGNORE_COMMA, ['A=1,2', 'B=3,4']],
    ['mixed line endings', 'A=1\nB=2\r\nC=3\n', SECRETS, ['A=1', 'B=2', 'C=3']],
    ['CRLF inside quotes stays in the value', 'A=1\r\n"B=x\r\ny"\r\nC=3\r\n', SECRETS, ['A=1', 'B=x\r\ny', 'C=3']],
    [
      'tag rules keep their quotes for the tag engine',
      'type=match,"pattern=\\d{1,2}"',
      METADATA_LINES,
      ['type=match,"pattern=\\d{1,2}"'],
    ],
    ['labels lose only the quotes around the line', '"org.example.list=a, b"', METADATA, ['org.example.list=a, b']],
    [
      'an indented # line is a comment too',
      'type=sha\n  # later\ntype=ref,event=tag',
      METADATA_LINES,
      ['type=sha', 'type=ref,event=tag'],
    ],
    ['# is no comment where the input has none', '# A=1\nB=2', IGNORE_COMMA, ['# A=1', 'B=2']],
    ['a # inside quotes is text', '"A=1\n# not a comment"', METADATA, ['A=1\n# not a comment']],
    ['no quote handling: an unclosed quote is text', '"type=sha', METADATA_LINES, ['"type=sha']],
  ])('%s', (_name, text, format, want) => {
    expect(parseList('x', text, format)).toEqual(want);
  });
});

describe('a quote that is never closed: an error naming the input and the line', () => {
  it.each<[string, ListFormat, RegExp]>([
    ['A=1\n"B=2\nC=3\n', IGNORE_COMMA, /^Invalid build-args "\\"B=2": the quote that opens on line 2 is never closed$/],
    ['"A=1', IGNORE_COMMA, /^Invalid build-args "\\"A=1": the quote that opens on line 1 is never closed$/],
    ['A=1\n\n\n"B=2', IGNORE_COMMA, /the quote that opens on line 4 is never closed/],
    ['A=1\r\n"B=x\r\ny"\r\nC=3\r\n"D', IGNORE_COMMA, /^Invalid build-args "\\"D": the quote that opens on line 5/],
    ['"A=1\nx"\n"B', IGNORE_COMMA, /"\\"B": the quote that opens on line 3/],
    ['a=1\n# note\n"b=2', METADATA, /"\\"b=2": the quote that opens on line 3/],
  ])('%j', (text, format, message) => {
    expect(() => parseList('build-args', text, format)).toThrow(message);
  });

  it('never repeats the text of a secret input', () => {
    const text = 'TOKEN=hunter2\n"KEY=-----BEGIN hunter3\nstill hunter4';
    expect(() => parseList('secrets', text, SECRETS, true)).toThrow(
      /^Invalid secrets: the quote that opens on line 2 is never closed$/,
    );
  });
});

describe('csvFields: an entry read as buildx reads --driver-opt', () => {
  it.each([
    ['network=host', ['network=host']],
    ['network=host,image=x', ['network=host', 'image=x']],
    ['"env.no_proxy=localhost,127.0.0.1",network=host', ['env.no_proxy=localhost,127.0.0.1', 'network=host']],
    ['"a=say ""hi"""', ['a=say "hi"']],
  ])('%j', (entry, want) => {
    expect(csvFields('driver-opts', entry)).toEqual(want);
  });

  it.each([
    ['a="b', /^Invalid driver-opts "a=\\"b": expected comma-separated fields, each quoted whole or not at all$/],
    ['"a=b"c', /^Invalid driver-opts "\\"a=b\\"c": expected comma-separated fields/],
  ])('%j is refused', (entry, message) => {
    expect(() => csvFields('driver-opts', entry)).toThrow(message);
  });
});
