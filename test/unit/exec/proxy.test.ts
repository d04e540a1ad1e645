import { afterEach, describe, expect, it, vi } from 'vitest';
import { displayProxy, parseProxyUrl, proxyFor, redactProxyValue } from '../../../src/exec/proxy.js';

const VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];

/** Exactly `vars` among the proxy variables, whatever the machine running the tests has set. */
function proxyEnv(vars: Record<string, string>): void {
  for (const name of VARIABLES) vi.stubEnv(name, vars[name]);
}

const P = 'http://proxy.corp:3128';

describe('which proxy a request goes through (@actions/http-client’s rule)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  // [case, variables, target URL, expected proxy (href) or undefined for direct]
  const CASES: [string, Record<string, string>, string, string | undefined][] = [
    ['no variables: direct', {}, 'https://api.github.com/x', undefined],
    ['HTTPS_PROXY for an https:// target', { HTTPS_PROXY: P }, 'https://api.github.com/x', `${P}/`],
    ['https_proxy (lower case) alike', { https_proxy: P }, 'https://api.github.com/x', `${P}/`],
    [
      'lower case wins when both are set',
      { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' },
      'https://api.github.com/',
      'http://lower:1/',
    ],
    ['HTTPS_PROXY is not used for http://', { HTTPS_PROXY: P }, 'http://example.com/', undefined],
    ['HTTP_PROXY for an http:// target', { HTTP_PROXY: P }, 'http://example.com/', `${P}/`],
    ['http_proxy alike', { http_proxy: P }, 'http://example.com/', `${P}/`],
    ['HTTP_PROXY is not used for https://', { HTTP_PROXY: P }, 'https://example.com/', undefined],
    ['NO_PROXY: the exact host', { HTTPS_PROXY: P, NO_PROXY: 'github.com' }, 'https://github.com/', undefined],
    [
      'NO_PROXY: a subdomain of an entry',
      { HTTPS_PROXY: P, NO_PROXY: 'github.com' },
      'https://api.github.com/',
      undefined,
    ],
    ['NO_PROXY: not a mere suffix', { HTTPS_PROXY: P, NO_PROXY: 'hub.com' }, 'https://github.com/', `${P}/`],
    [
      'NO_PROXY: a leading dot matches subdomains',
      { HTTPS_PROXY: P, NO_PROXY: '.github.com' },
      'https://api.github.com/',
      undefined,
    ],
    [
      'NO_PROXY: a leading dot does not match the bare domain',
      { HTTPS_PROXY: P, NO_PROXY: '.github.com' },
      'https://github.com/',
      `${P}/`,
    ],
    [
      'NO_PROXY: host:port matches that port',
      { HTTPS_PROXY: P, NO_PROXY: 'ghe.corp:8443' },
      'https://ghe.corp:8443/',
      undefined,
    ],
    [
      'NO_PROXY: host:port, another port is proxied',
      { HTTPS_PROXY: P, NO_PROXY: 'ghe.corp:8443' },
      'https://ghe.corp/',
      `${P}/`,
    ],
    ['NO_PROXY: the default port counts', { HTTPS_PROXY: P, NO_PROXY: 'ghe.corp:443' }, 'https://ghe.corp/', undefined],
    ['NO_PROXY: * is everything', { HTTPS_PROXY: P, NO_PROXY: '*' }, 'https://api.github.com/', undefined],
    [
      'NO_PROXY: a list, spaces and case ignored',
      { HTTPS_PROXY: P, NO_PROXY: 'a.example, GitHub.COM ,b.example' },
      'https://api.github.com/',
      undefined,
    ],
    ['no_proxy (lower case) alike', { HTTPS_PROXY: P, no_proxy: 'github.com' }, 'https://github.com/', undefined],
    [
      'no_proxy wins over NO_PROXY',
      { HTTPS_PROXY: P, no_proxy: 'other.example', NO_PROXY: 'github.com' },
      'https://github.com/',
      `${P}/`,
    ],
    ['loopback: localhost is never proxied', { HTTPS_PROXY: P, HTTP_PROXY: P }, 'http://localhost:8080/', undefined],
    ['loopback: 127.*', { HTTP_PROXY: P }, 'http://127.0.0.53:8080/', undefined],
    ['loopback: [::1]', { HTTP_PROXY: P }, 'http://[::1]:8080/', undefined],
    ['not loopback: another private address', { HTTP_PROXY: P }, 'http://10.0.0.1:8080/', `${P}/`],
    ['host:port without a scheme is http://', { HTTPS_PROXY: 'proxy.corp:3128' }, 'https://github.com/', `${P}/`],
    [
      'an address and port without a scheme',
      { HTTPS_PROXY: '10.1.2.3:3128' },
      'https://github.com/',
      'http://10.1.2.3:3128/',
    ],
    [
      'credentials are kept for the proxy',
      { HTTPS_PROXY: 'http://user:p%40ss@proxy.corp:3128' },
      'https://github.com/',
      'http://user:p%40ss@proxy.corp:3128/',
    ],
    ['an https:// proxy', { HTTPS_PROXY: 'https://proxy.corp' }, 'https://github.com/', 'https://proxy.corp/'],
  ];

  it.each(CASES)('%s', (_name, vars, target, expected) => {
    proxyEnv(vars);
    expect(proxyFor(new URL(target))?.href).toBe(expected);
  });

  it('a value that is no proxy URL is an error that does not repeat it', () => {
    proxyEnv({ HTTPS_PROXY: 'socks5://user:hunter2@proxy.corp:1080' });
    expect(() => proxyFor(new URL('https://github.com/'))).toThrow('the https proxy variable is not a proxy URL');
  });
});

describe('proxy URL syntax', () => {
  // [value, the URL it means, or undefined for none]
  const CASES: [string, string | undefined][] = [
    ['http://proxy.corp:3128', 'http://proxy.corp:3128/'],
    ['https://proxy.corp', 'https://proxy.corp/'],
    ['HTTP://Proxy.Corp:3128/', 'http://proxy.corp:3128/'],
    ['  http://proxy.corp:3128  ', 'http://proxy.corp:3128/'],
    ['proxy.corp:3128', 'http://proxy.corp:3128/'],
    ['proxy.corp', 'http://proxy.corp/'],
    ['10.0.0.1:3128', 'http://10.0.0.1:3128/'],
    ['[::1]:3128', 'http://[::1]:3128/'],
    ['user:pass@proxy.corp:3128', 'http://user:pass@proxy.corp:3128/'],
    ['http://user:p@ss@proxy.corp:3128', 'http://user:p%40ss@proxy.corp:3128/'],
    ['socks5://proxy.corp:1080', undefined],
    ['ftp://proxy.corp', undefined],
    ['http://', undefined],
    ['http://:3128', undefined],
    ['proxy.corp:99999', undefined],
    ['proxy.corp:port', undefined],
    ['http://proxy corp:3128', undefined],
    ['http:proxy.corp:3128', undefined],
    ['', undefined],
  ];

  it.each(CASES)('%j', (value, expected) => {
    expect(parseProxyUrl(value)?.href).toBe(expected);
  });

  it('is shown without credentials', () => {
    expect(displayProxy(new URL('http://user:secret@proxy.corp:3128/'))).toBe('http://***@proxy.corp:3128');
    expect(displayProxy(new URL('http://token@proxy.corp:3128/'))).toBe('http://***@proxy.corp:3128');
    expect(displayProxy(new URL('https://proxy.corp/'))).toBe('https://proxy.corp');
  });

  it.each([
    ['http://user:hunter2@proxy:bad', 'http://***@proxy:bad'],
    ['user:hunter2@proxy:bad', '***@proxy:bad'],
    ['http://u:p@ss@proxy:bad', 'http://***@proxy:bad'],
    ['proxy:bad', 'proxy:bad'],
  ])('a bad value %j is repeated as %j', (value, shown) => {
    expect(redactProxyValue(value)).toBe(shown);
  });
});
