import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateSyntaxError } from '../../../src/meta/template.js';

describe('templates', () => {
  it('reads names, quoted strings with spaces, numbers, bare words and key=value parameters', () => {
    const template = parseTemplate(`v-{{date 'YYYY MM' tz="Asia/Tokyo"}}-{{commit_date YYYY-MM-DD}}-{{x 1}}`);
    const found = template.parts.flatMap((part) => (part.kind === 'expression' ? [part.expression] : []));
    expect(found.map((e) => [e.name, e.params, [...e.hash]])).toEqual([
      ['date', [{ kind: 'string', value: 'YYYY MM' }], [['tz', { kind: 'string', value: 'Asia/Tokyo' }]]],
      ['commit_date', [{ kind: 'word', value: 'YYYY-MM-DD' }], []],
      ['x', [{ kind: 'number', value: 1 }], []],
    ]);
  });

  it('renders text around expressions', () => {
    const template = parseTemplate('a{{ one }}b{{two}}c');
    expect(renderTemplate(template, (e) => e.name.toUpperCase())).toBe('aONEbTWOc');
    expect(renderTemplate(parseTemplate('no expression'), () => 'x')).toBe('no expression');
  });

  it.each([
    ['{{}}', /does not start with an expression name/],
    ['{{1x}}', /does not start with an expression name/],
    ["{{date 'YYYY}}", /unclosed '/],
    ['{{date tz=UTC x}}', /has a parameter after key=value parameters/],
    ["{{date tz='UTC' tz='UTC'}}", /sets tz twice/],
    ['{{{raw}}}', /is not supported/],
    ['{{> partial}}', /is not supported/],
    ['{{! comment}}', /is not supported/],
    ['{{~branch}}', /is not supported/],
  ])('rejects %s', (source, message) => {
    expect(() => parseTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate(source)).toThrow(message);
  });
});
