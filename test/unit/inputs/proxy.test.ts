import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { driverOptCredentials, readProxyEnv } from '../../../src/inputs/proxy.js';

describe('the proxy variables, checked with the inputs', () => {
  it('none set: nothing to do', () => {
    expect(readProxyEnv({ HTTPS_PROXY: '', no_proxy: ' ' })).toMatchObject({
      variables: [],
      https: undefined,
      http: undefined,
      noProxy: [],
      secrets: [],
      warnings: [],
    });
  });

  it('reads both cases, lower case first as @actions/http-client does, and NO_PROXY’s entries', () => {
    const proxy = readProxyEnv({
      HTTPS_PROXY: 'http://proxy.corp:3128',
      http_proxy: 'http://plain.corp:8080',
      NO_PROXY: 'registry.corp, .internal ,',
    });
    expect(proxy.variables).toEqual([
      { name: 'HTTPS_PROXY', value: 'http://proxy.corp:3128' },
      { name: 'http_proxy', value: 'http://plain.corp:8080' },
      { name: 'NO_PROXY', value: 'registry.corp, .internal ,' },
    ]);
    expect(proxy.https?.href).toBe('http://proxy.corp:3128/');
    expect(proxy.http?.href).toBe('http://plain.corp:8080/');
    expect(proxy.noProxy).toEqual(['registry.corp', '.internal']);
    expect(proxy.warnings).toEqual([]);
  });

  // [variable, value, the message]
  const BAD: [string, string, string][] = [
    ['HTTPS_PROXY', 'socks5://proxy.corp:1080', 'Invalid HTTPS_PROXY "socks5://proxy.corp:1080": expected a proxy URL'],
    ['https_proxy', 'http://proxy corp:3128', 'Invalid https_proxy "http://proxy corp:3128"'],
    ['HTTP_PROXY', 'proxy.corp:port', 'Invalid HTTP_PROXY "proxy.corp:port"'],
    ['http_proxy', 'http://:3128', 'Invalid http_proxy "http://:3128"'],
    ['HTTPS_PROXY', 'proxy.corp:99999', 'Invalid HTTPS_PROXY "proxy.corp:99999"'],
    ['HTTPS_PROXY', 'http:proxy.corp:3128', 'Invalid HTTPS_PROXY "http:proxy.corp:3128"'],
  ];

  it.each(BAD)('%s=%j is refused, naming the variable and the value', (name, value, message) => {
    expect(() => readProxyEnv({ [name]: value })).toThrow(InputError);
    expect(() => readProxyEnv({ [name]: value })).toThrow(message);
    expect(() => readProxyEnv({ [name]: value })).toThrow(
      /: expected a proxy URL, http:\/\/host:port or https:\/\/host:port \(with user:password@ if the proxy asks for it\), or host:port$/,
    );
  });

  it('a bad value with credentials is refused without them', () => {
    const read = () => readProxyEnv({ HTTPS_PROXY: 'http://ci:hunter2@proxy.corp:port' });
    expect(read).toThrow('Invalid HTTPS_PROXY "http://***@proxy.corp:port": expected a proxy URL');
    expect(read).not.toThrow(/hunter2/);
  });

  it('NO_PROXY takes any text: it is a list of names, not a URL', () => {
    expect(readProxyEnv({ NO_PROXY: '*' }).noProxy).toEqual(['*']);
  });

  it('a password is a secret: as written, percent-encoded, decoded, and with the user', () => {
    const proxy = readProxyEnv({ HTTPS_PROXY: 'http://ci:p@ss%21word@proxy.corp:3128' });
    expect(proxy.withCredentials).toEqual(['HTTPS_PROXY']);
    expect(proxy.secrets).toEqual(['ci:p@ss%21word', 'p@ss%21word', 'p%40ss%21word', 'p@ss!word']);
    expect(proxy.https?.password).toBe('p%40ss%21word');
  });

  it('a user name alone is the credential (a token), and so the secret', () => {
    const proxy = readProxyEnv({ https_proxy: 'https://tok3n-abc@proxy.corp' });
    expect(proxy.withCredentials).toEqual(['https_proxy']);
    expect(proxy.secrets).toEqual(['tok3n-abc']);
  });

  it('host:port without credentials is no secret', () => {
    expect(readProxyEnv({ HTTPS_PROXY: '10.0.0.1:3128' })).toMatchObject({ secrets: [], withCredentials: [] });
  });

  it('warns that the Actions toolkit ignores name:port without a scheme, without repeating credentials', () => {
    expect(readProxyEnv({ HTTPS_PROXY: 'proxy.corp:3128' }).warnings).toEqual([
      'HTTPS_PROXY "proxy.corp:3128" has no scheme: docker-build, buildx, BuildKit and Trivy read it as ' +
        'http://proxy.corp:3128, but the Actions toolkit (@actions/http-client) ignores it; write http://proxy.corp:3128',
    ]);
    const warnings = readProxyEnv({ HTTPS_PROXY: 'ci:hunter2@proxy.corp:3128' }).warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"***@proxy.corp:3128"');
    expect(warnings[0]).not.toContain('hunter2');
    // An address, or a name without a port, is prefixed with http:// by http-client too: no warning.
    expect(readProxyEnv({ HTTPS_PROXY: '10.0.0.1:3128', HTTP_PROXY: 'proxy.corp' }).warnings).toEqual([]);
  });

  it('warns when the two cases of a variable differ: Go programs read the other one', () => {
    expect(
      readProxyEnv({
        https_proxy: 'http://a.corp:1',
        HTTPS_PROXY: 'http://b.corp:1',
        no_proxy: 'x',
        NO_PROXY: 'x',
      }).warnings,
    ).toEqual([
      'https_proxy and HTTPS_PROXY differ: docker-build and the Actions toolkit use https_proxy, buildx, BuildKit and ' +
        'Trivy (Go) use HTTPS_PROXY; set one of them, or both to the same value',
    ]);
  });

  it('finds credentials in driver-opts proxy values only', () => {
    expect(driverOptCredentials({ key: 'env.HTTPS_PROXY', value: 'http://ci:pw-123@proxy.corp:3128' })).toEqual([
      'ci:pw-123',
      'pw-123',
    ]);
    expect(driverOptCredentials({ key: 'env.http_proxy', value: 'tok3n@proxy.corp' })).toEqual(['tok3n']);
    expect(driverOptCredentials({ key: 'env.HTTPS_PROXY', value: 'http://proxy.corp:3128' })).toEqual([]);
    expect(driverOptCredentials({ key: 'env.OTHER', value: 'http://ci:pw@proxy.corp' })).toEqual([]);
    expect(driverOptCredentials({ key: 'image', value: 'u:p@host/x' })).toEqual([]);
  });
});
